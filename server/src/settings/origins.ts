// Which pages may use the widget. The configured ones: the platform's PUBLIC_URL (or its default),
// ALLOWED_ORIGINS and the origins the admin added. With no PUBLIC_URL the platform does not know the
// address people type (localhost, 127.0.0.1, a LAN address...), so its own pages are recognised by the
// request itself: a page is the platform's own when its Origin names the very host:port the request
// was sent to. Browsers set Origin and Host themselves, so a page of another site cannot claim this.
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Config } from '../config.js';

/** Origins configured to open the widget: the platform itself, ALLOWED_ORIGINS, and those the admin added. */
export async function allowedWidgetOrigins(app: FastifyInstance): Promise<Set<string>> {
  const w = await app.settings.get('widget');
  return new Set([app.config.publicOrigin, ...app.config.ALLOWED_ORIGINS, ...w.allowedOrigins].map(normaliseOrigin));
}

export function normaliseOrigin(o: string): string {
  try {
    return new URL(o).origin;
  } catch {
    return o;
  }
}

const HOST = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * The host:port the browser sent this request to: Host, or the last X-Forwarded-Host behind a trusted
 * proxy (as Fastify reads it). Null when absent or not a plain host.
 */
export function requestHost(headers: IncomingHttpHeaders, trustProxy: boolean): string | null {
  const forwarded = trustProxy ? headers['x-forwarded-host'] : undefined;
  const raw = (Array.isArray(forwarded) ? forwarded.at(-1) : forwarded)?.split(',').at(-1) ?? headers.host;
  const host = raw?.trim().toLowerCase();
  return host && HOST.test(host) ? host : null;
}

/** `host` as the URL parser writes it for this scheme (default port dropped). */
function canonicalHost(scheme: string, host: string): string | null {
  try {
    return new URL(`${scheme}//${host}`).host;
  } catch {
    return null;
  }
}

/**
 * With no PUBLIC_URL: `origin` is the platform's own page as reached by this request (same host and
 * port; the scheme is not compared, since one port serves one scheme and a TLS proxy in front does not
 * change the Host). With PUBLIC_URL set only that origin is the platform's own: never true here.
 */
export function isOwnOrigin(config: Config, origin: string, headers: IncomingHttpHeaders): boolean {
  if (config.PUBLIC_URL) return false;
  const host = requestHost(headers, config.TRUST_PROXY);
  if (!host) return false;
  try {
    const u = new URL(origin);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
    return u.origin === origin.replace(/\/$/, '') && u.host === canonicalHost(u.protocol, host);
  } catch {
    return false;
  }
}

/** Whether a page of `origin` may use the widget; `headers` are those of the request it sent. */
export async function isAllowedOrigin(app: FastifyInstance, origin: string | undefined, headers: IncomingHttpHeaders): Promise<boolean> {
  if (!origin) return false;
  return isOwnOrigin(app.config, origin, headers) || (await allowedWidgetOrigins(app)).has(normaliseOrigin(origin));
}

/**
 * A same-origin request (browsers send no Origin on a same-origin GET): is the platform, at the
 * address it was reached by, one of the allowed pages? Hosts only, so that a TLS proxy in front
 * (https outside, http here) does not make the platform refuse its own pages.
 */
export async function isAllowedSameOrigin(app: FastifyInstance, headers: IncomingHttpHeaders): Promise<boolean> {
  if (!app.config.PUBLIC_URL) return true;
  const host = requestHost(headers, app.config.TRUST_PROXY);
  if (!host) return false;
  for (const o of await allowedWidgetOrigins(app)) {
    try {
      const u = new URL(o);
      if (u.host === canonicalHost(u.protocol, host)) return true;
    } catch {
      /* not a URL: matches nothing */
    }
  }
  return false;
}

/** The origin of a same-origin request, for a log line: scheme from X-Forwarded-Proto behind a trusted proxy. */
export function requestOrigin(headers: IncomingHttpHeaders, trustProxy: boolean): string {
  const proto = trustProxy ? String(headers['x-forwarded-proto'] ?? '').split(',').at(-1)?.trim() : '';
  return `${proto === 'https' ? 'https' : 'http'}://${requestHost(headers, trustProxy) ?? '(no host)'}`;
}

/** A refused origin is worth one warning an hour, not one per page view. */
const WARN_AGAIN_AFTER_MS = 3_600_000;
/** Bounded memory, and a bounded log, even when a script sends a new Origin with every request. */
const REMEMBERED_ORIGINS = 1_000;
const WARNINGS_PER_MINUTE = 20;

export type RefusedOriginWarner = (origin: string) => void;

export function createRefusedOriginWarner(log: FastifyBaseLogger, config: Config, now: () => number = Date.now): RefusedOriginWarner {
  const lastWarned = new Map<string, number>();
  let minute = -1;
  let inMinute = 0;
  return (origin) => {
    const key = normaliseOrigin(origin).slice(0, 200);
    const t = now();
    const last = lastWarned.get(key);
    if (last !== undefined && t - last < WARN_AGAIN_AFTER_MS) return;
    const m = Math.floor(t / 60_000);
    if (m !== minute) {
      minute = m;
      inMinute = 0;
    }
    if (inMinute >= WARNINGS_PER_MINUTE) return;
    inMinute++;
    lastWarned.delete(key);
    lastWarned.set(key, t);
    if (lastWarned.size > REMEMBERED_ORIGINS) lastWarned.delete(lastWarned.keys().next().value!);
    const setting = config.PUBLIC_URL
      ? 'ALLOWED_ORIGINS, or "Websites allowed to embed the widget" in the console\'s widget settings (PUBLIC_URL if it is this platform\'s own address)'
      : 'ALLOWED_ORIGINS, or "Websites allowed to embed the widget" in the console\'s widget settings';
    // Only the site's origin: never the visitor's address or anything else of the request.
    log.warn({ origin: key, setting }, `widget refused on ${key}: this site is not allowed to embed it; allow it with ${setting}`);
  };
}

const warners = new WeakMap<Config, RefusedOriginWarner>();

/** One warning per refused origin per process (keyed by the app's config: shared by every plugin scope). */
export function warnRefusedOrigin(app: FastifyInstance, origin: string): void {
  let warn = warners.get(app.config);
  if (!warn) warners.set(app.config, (warn = createRefusedOriginWarner(app.log, app.config)));
  warn(origin);
}
