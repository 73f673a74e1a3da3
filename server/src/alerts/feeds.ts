// The public feeds of published alerts: JSON (`/api/public/alerts`) and Atom (RFC 4287, `/alerts.atom`).
// Both are cacheable: a strong ETag of the body, 304 on a matching If-None-Match, and a max-age that
// never outlives the next expiry (an expired alert must not stay in caches for long).
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PublicAlertFeed } from '@helpline/shared';

export const FEED_MAX_AGE_S = 60;

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
export const xml = (s: string) => s.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);

export function atomFeed(feed: PublicAlertFeed, o: { selfUrl: string; centreName: string; title: string }): string {
  const updated = feed.alerts.reduce((m, a) => (a.publishedAt > m ? a.publishedAt : m), '1970-01-01T00:00:00.000Z');
  // Text constructs of type "text": a reader shows them as text, never as markup.
  const entries = feed.alerts.map(
    (a) =>
      `  <entry xml:lang="${xml(a.language)}">\n` +
      `    <id>urn:uuid:${a.id}</id>\n` +
      `    <title type="text">${xml(a.title)}</title>\n` +
      `    <published>${a.publishedAt}</published>\n` +
      `    <updated>${a.publishedAt}</updated>\n` +
      `    <category term="${a.severity}"/>\n` +
      `    <summary type="text">${xml(a.text)}</summary>\n` +
      `    <content type="text">${xml(`${a.text}\n\n${a.advice}`)}</content>\n` +
      `  </entry>\n`,
  );
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n` +
    `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${xml(feed.language)}">\n` +
    `  <id>${xml(o.selfUrl)}</id>\n` +
    `  <title type="text">${xml(o.title)}</title>\n` +
    `  <updated>${updated}</updated>\n` +
    `  <author><name>${xml(o.centreName)}</name></author>\n` +
    `  <link rel="self" type="application/atom+xml" href="${xml(o.selfUrl)}"/>\n` +
    entries.join('') +
    `</feed>\n`
  );
}

export const etagOf = (body: string) => `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;

/** RFC 9110 §13.1.2: weak comparison, a list of tags or `*`. */
export function matchesIfNoneMatch(header: string | string[] | undefined, etag: string): boolean {
  if (!header) return false;
  const tags = (Array.isArray(header) ? header.join(',') : header).split(',').map((t) => t.trim().replace(/^W\//, ''));
  return tags.includes('*') || tags.includes(etag);
}

/** Sends a feed body with its caching headers, or 304 when the client holds this very body. */
export function sendCacheable(req: FastifyRequest, reply: FastifyReply, body: string, type: string, nextExpiry: Date | null, now: number): FastifyReply {
  const untilExpiry = nextExpiry ? Math.max(0, Math.floor((nextExpiry.getTime() - now) / 1000)) : FEED_MAX_AGE_S;
  const etag = etagOf(body);
  void reply
    .header('etag', etag)
    .header('cache-control', `public, max-age=${Math.min(FEED_MAX_AGE_S, untilExpiry)}`)
    .header('vary', 'Accept-Language')
    // Public, without credentials: an app or another site may read it.
    .header('access-control-allow-origin', '*')
    .header('cross-origin-resource-policy', 'cross-origin');
  if (matchesIfNoneMatch(req.headers['if-none-match'], etag)) return reply.code(304).send();
  return reply.type(type).send(body);
}
