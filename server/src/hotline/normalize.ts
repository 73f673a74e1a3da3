// URL checks and the de-duplication key. The key ignores what does not change the content a URL points
// to: scheme, case of the host, a leading "www.", default ports, the fragment, a trailing slash and
// utm_* tracking parameters. Nothing here touches the network.
import { HOTLINE_LIMITS } from '@helpline/shared';

export type UrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

export function checkReportedUrl(raw: string): UrlCheck {
  const s = raw.trim();
  if (!s) return { ok: false, reason: 'empty URL' };
  if (s.length > HOTLINE_LIMITS.urlMaxChars) return { ok: false, reason: `URL longer than ${HOTLINE_LIMITS.urlMaxChars} characters` };
  if (!/^https?:\/\//i.test(s)) return { ok: false, reason: 'only http:// and https:// addresses' };
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return { ok: false, reason: 'not a valid address' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason: 'only http:// and https:// addresses' };
  if (!url.hostname || /[\s<>"]/.test(s)) return { ok: false, reason: 'not a valid address' };
  return { ok: true, url };
}

export function hostOf(url: URL): string {
  return url.hostname.toLowerCase().replace(/^www\./, '').replace(/\.$/, '');
}

/** The de-duplication key of a valid http(s) URL. */
export function normalizeUrl(input: string | URL): string {
  const url = typeof input === 'string' ? new URL(input.trim()) : new URL(input.href);
  url.hash = '';
  for (const k of [...url.searchParams.keys()]) if (k.toLowerCase().startsWith('utm_')) url.searchParams.delete(k);
  const host = hostOf(url);
  // URL already drops the scheme's default port; an explicit other port stays part of the key.
  const port = url.port ? `:${url.port}` : '';
  const path = url.pathname.replace(/\/+$/, '');
  const query = url.searchParams.toString();
  return `${host}${port}${path}${query ? `?${query}` : ''}`;
}
