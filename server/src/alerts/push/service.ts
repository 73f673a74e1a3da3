// Web Push of published alerts. Approving an alert queues one fan-out job (its id is the alert's, so
// a second approval event or a redelivered job queues nothing twice); the fan-out pages through the
// subscriptions and queues one job per (alert, subscription), which encrypts the alert to that
// browser (RFC 8291, by web-push), signs it (VAPID, RFC 8292) and posts it to the push service.
// 404/410 from the push service: the browser is gone, its row too. 429 and 5xx: tried again with
// backoff (never sooner than Retry-After). Nothing here is on the approval's path.
import { and, asc, eq, gt } from 'drizzle-orm';
import type { Job } from 'bullmq';
import type { FastifyBaseLogger } from 'fastify';
import webpush from 'web-push';
import { LANGUAGES, type AlertSeverity, type Language, type PushAlertPayload, type PushSubscribeInput, type PushUnsubscribeInput } from '@helpline/shared';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import type { Clock } from '../../infra/clock.js';
import type { Jobs } from '../../infra/jobs.js';
import { AppError, loggableError } from '../../http/errors.js';
import { textIn } from '../service.js';
import { alerts, pushSubscriptions } from '../tables.js';
import type { VapidKeys } from './vapid.js';

export type PushConfig = Pick<Config, 'publicUrl' | 'PUSH_SERVICE_HOSTS' | 'PUSH_ALLOW_LOCAL_ENDPOINTS' | 'PUSH_TTL_S' | 'PUSH_ATTEMPTS' | 'PUSH_BACKOFF_MS' | 'PUSH_TIMEOUT_MS'>;

export interface PushDeps {
  db: Db;
  jobs: Jobs;
  config: PushConfig;
  /** Null: push is off (no keys; see vapid.ts). */
  keys: VapidKeys | null;
  clock: Clock;
  log: FastifyBaseLogger;
  defaultLanguage(): Promise<Language>;
}

/** RFC 8030 §5.3: how hard the browser's device should try to wake up for it. */
export const URGENCY: Record<AlertSeverity, 'low' | 'normal' | 'high'> = { info: 'low', warning: 'normal', urgent: 'high' };
const BODY_MAX_CHARS = 200;
const PAGE = 500;

/** The first sentences of a text, cut at a word when longer than `max` characters. */
export function shorten(s: string, max = BODY_MAX_CHARS): string {
  if (s.length <= max) return s;
  const cut = s.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** An endpoint the server may post to: https on a push service's host, or (tests) http://127.0.0.1. */
export function endpointAllowed(endpoint: string, config: Pick<Config, 'PUSH_SERVICE_HOSTS' | 'PUSH_ALLOW_LOCAL_ENDPOINTS'>): boolean {
  let u: URL;
  try {
    u = new URL(endpoint);
  } catch {
    return false;
  }
  if (u.username || u.password) return false;
  if (u.protocol === 'http:') return config.PUSH_ALLOW_LOCAL_ENDPOINTS && u.hostname === '127.0.0.1';
  if (u.protocol !== 'https:') return false;
  const host = u.hostname.toLowerCase();
  return config.PUSH_SERVICE_HOSTS.some((h) => {
    const pattern = h.toLowerCase();
    return pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1 : host === pattern;
  });
}

/** A push the push service asked to repeat; infra/jobs.ts waits at least `retryAfterMs` (its Retry-After). */
class PushRetry extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number | null,
  ) {
    super(message);
  }
}

const jobIdOf = (alertId: string, subscriptionId: string) => `push-${alertId}-${subscriptionId}`;

/** A push service's Retry-After (seconds or an HTTP date) in ms, or null. */
function retryAfterMs(header: string | null, now: number): number | null {
  if (!header) return null;
  const s = Number(header);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const t = Date.parse(header);
  return Number.isNaN(t) ? null : Math.max(0, t - now);
}

export function createPushService(d: PushDeps) {
  const { db } = d;
  const off = () => new AppError('not_found', 'Web Push is not set up on this platform');

  async function fanOut(data: Record<string, unknown>): Promise<void> {
    const alertId = String(data.alertId);
    const [a] = await db.select({ state: alerts.state, expiresAt: alerts.expiresAt }).from(alerts).where(eq(alerts.id, alertId));
    if (!a || a.state !== 'published' || a.expiresAt.getTime() <= d.clock.now()) return;
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const page = await db.select({ id: pushSubscriptions.id }).from(pushSubscriptions).where(gt(pushSubscriptions.id, after)).orderBy(asc(pushSubscriptions.id)).limit(PAGE);
      if (!page.length) return;
      await d.jobs.addBulk(
        'push',
        page.map((s) => ({
          name: 'send',
          data: { alertId, subscriptionId: s.id },
          // Completed ids are kept for a day, so a fan-out that runs again (redelivered) queues no second push.
          opts: { jobId: jobIdOf(alertId, s.id), attempts: d.config.PUSH_ATTEMPTS, backoff: { type: 'retry-after', delay: d.config.PUSH_BACKOFF_MS }, removeOnComplete: { age: 86_400 }, removeOnFail: { age: 86_400 } },
        })),
      );
      after = page[page.length - 1]!.id;
    }
  }

  async function send(data: Record<string, unknown>, job: Job): Promise<void> {
    if (!d.keys) return;
    const [sub] = await db.select().from(pushSubscriptions).where(eq(pushSubscriptions.id, String(data.subscriptionId)));
    const [a] = await db.select().from(alerts).where(eq(alerts.id, String(data.alertId)));
    // Unsubscribed meanwhile, or the alert withdrawn or expired before this try: nothing to send.
    const left = a ? a.expiresAt.getTime() - d.clock.now() : 0;
    if (!sub || !a || a.state !== 'published' || left <= 0) return;
    if (!endpointAllowed(sub.endpoint, d.config)) return;
    const fallback = await d.defaultLanguage();
    const language = [sub.language, fallback, ...LANGUAGES].find((l) => textIn(a.texts, l))!;
    const t = textIn(a.texts, language)!;
    const payload: PushAlertPayload = {
      id: a.id,
      severity: a.severity,
      language,
      title: t.title,
      body: shorten(t.text),
      url: `${d.config.publicUrl}/widget/#lang=${encodeURIComponent(sub.language)}&alert=${a.id}`,
    };
    const req = webpush.generateRequestDetails({ endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } }, JSON.stringify(payload), {
      vapidDetails: d.keys,
      TTL: Math.min(d.config.PUSH_TTL_S, Math.floor(left / 1000)),
      urgency: URGENCY[a.severity],
      // One alert, one topic: a retry replaces its own undelivered copy at the push service.
      topic: a.id.replace(/-/g, ''),
      contentEncoding: 'aes128gcm',
    });
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k.toLowerCase() !== 'content-length').map(([k, v]) => [k, String(v)]));
    let res: Response;
    try {
      res = await fetch(sub.endpoint, { method: 'POST', headers, body: req.body ? new Uint8Array(req.body) : null, redirect: 'manual', signal: AbortSignal.timeout(d.config.PUSH_TIMEOUT_MS) });
      await res.arrayBuffer().catch(() => undefined);
    } catch (err) {
      d.log.warn({ alertId: a.id, attempt: job.attemptsMade + 1, err: loggableError(err) }, 'push: no answer from the push service');
      throw err;
    }
    if (res.status >= 200 && res.status < 300) return;
    if (res.status === 404 || res.status === 410) {
      // RFC 8030 §7.3: the subscription expired or was removed; never push to it again.
      await db.delete(pushSubscriptions).where(eq(pushSubscriptions.id, sub.id));
      return;
    }
    if (res.status === 429 || res.status >= 500) {
      d.log.warn({ alertId: a.id, status: res.status, attempt: job.attemptsMade + 1 }, 'push: the push service asked to try again');
      throw new PushRetry(`push service answered ${res.status}`, retryAfterMs(res.headers.get('retry-after'), d.clock.now()));
    }
    // Any other answer (400, 401/403 for a VAPID it refuses, 413) would be the same next time.
    d.log.warn({ alertId: a.id, status: res.status }, 'push: refused by the push service');
  }

  d.jobs.define('push', 'fanout', fanOut);
  d.jobs.define('push', 'send', send);

  return {
    enabled: !!d.keys,

    publicKey(): string {
      if (!d.keys) throw off();
      return d.keys.publicKey;
    },

    /** Stores a browser's subscription (again: the same endpoint gets its new keys and language). */
    async subscribe(input: PushSubscribeInput): Promise<void> {
      if (!d.keys) throw off();
      if (!endpointAllowed(input.endpoint, d.config)) throw new AppError('invalid_payload', 'The endpoint is not a push service this platform sends to', { fields: [{ path: 'endpoint', message: 'not an allowed push service' }] });
      const row = { endpoint: input.endpoint, p256dh: input.keys.p256dh, auth: input.keys.auth, language: input.language };
      await db.insert(pushSubscriptions).values({ ...row, createdAt: new Date(d.clock.now()) }).onConflictDoUpdate({ target: pushSubscriptions.endpoint, set: row });
    },

    /** Removes it; the auth secret proves the caller is that browser. Unknown ones: nothing to do. */
    async unsubscribe(input: PushUnsubscribeInput): Promise<void> {
      await db.delete(pushSubscriptions).where(and(eq(pushSubscriptions.endpoint, input.endpoint), eq(pushSubscriptions.auth, input.auth)));
    },

    /** Called once the approval committed; never throws into it (a lost job is logged). */
    alertPublished(alertId: string): void {
      if (!d.keys) return;
      d.jobs.add('push', 'fanout', { alertId }, { jobId: `fanout-${alertId}`, attempts: 5, removeOnComplete: true, removeOnFail: 1000 }).catch((err: unknown) => d.log.error({ alertId, err: loggableError(err) }, 'push: the alert could not be queued for push'));
    },
  };
}
export type PushService = ReturnType<typeof createPushService>;
