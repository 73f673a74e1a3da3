// Configuration is read once from the environment, validated, and passed in. Types come from the schema.
import { z } from 'zod';
import { CENTRE_PROFILES } from '@helpline/shared';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const ms = (def: number) => z.coerce.number().int().min(0).max(86_400_000 * 400).default(def);
const list = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  );

/** Every setting: env name, meaning (README table is generated from `describe`), default. */
export const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000).describe('HTTP port to listen on'),
  HOST: z.string().default('0.0.0.0').describe('Interface to listen on'),
  PUBLIC_URL: z
    .url()
    .optional()
    .describe('Public base URL of the platform (e.g. https://chat.example.org). Unset: http://localhost:PORT, and the platform\'s own pages (console, /demo) also work at any other address it is reached by (127.0.0.1, a LAN address); set it in production'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional()
    .describe('Postgres connection URL; unset = embedded PGlite in DATA_DIR'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10).describe('Postgres connections per server instance, besides the 2 it keeps for the message writer and the dispatch loop (mind max_connections when running several instances)'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// URL')
    .optional()
    .describe('Redis connection URL; unset = a private redis-server child process'),
  REDIS_PREFIX: z.string().min(1).max(64).default('hl').describe('Prefix of every Redis key and BullMQ queue'),
  DATA_DIR: z.string().default('./data').describe('Folder of the embedded PGlite database and the private Redis'),
  TRUST_PROXY: bool
    .default(false)
    .describe('Take client addresses from X-Forwarded-For (set true only behind your own load balancer, or per-IP limits can be dodged)'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('Log level'),
  ALLOWED_ORIGINS: list
    .default([])
    .describe('Comma-separated origins of the centre\'s websites allowed to embed the widget (the platform\'s own origin is always allowed); admins can add more in the console'),
  DEMO_ACCOUNTS: bool
    .optional()
    .describe('Create demo staff accounts on an empty database; default: true for the embedded default, false otherwise'),
  SESSION_TTL_MS: ms(12 * 3600_000).describe('Staff session lifetime'),
  SESSION_RECHECK_MS: ms(10_000).describe('How often each instance re-checks its staff sockets\' sessions in Postgres (ends sockets whose revocation it did not hear of)'),
  COOKIE_SECURE: bool.optional().describe('Mark cookies Secure; default: true when PUBLIC_URL is https'),
  OFFER_TIMEOUT_MS: ms(30_000).describe('Time a counsellor has to accept an offer'),
  TRANSFER_RESERVE_MS: ms(300_000).describe('A conversation transferred with "Queue for <name>" waits for that counsellor alone this long, then is offered to anyone'),
  AUTO_ACCEPT: bool.default(false).describe('Offers are accepted automatically'),
  MAX_MISSED_OFFERS: z.coerce.number().int().min(1).max(100).default(3).describe('Missed offers in a row before a counsellor is set away'),
  DISCONNECT_GRACE_MS: ms(60_000).describe('How long a disconnected counsellor keeps their conversations'),
  VISITOR_GRACE_MS: ms(120_000).describe('How long a waiting visitor may be disconnected before the contact counts as abandoned'),
  WRAPUP_MS: ms(60_000).describe('Wrap-up time after a conversation before new offers'),
  WRAPUP_URGENT_MS: ms(300_000).describe('Wrap-up time after an urgent conversation'),
  DECLINE_COOLDOWN_MS: ms(60_000).describe('A counsellor who declined or missed a conversation is not offered it again for this long'),
  OVERFLOW_AFTER_MS: ms(120_000).describe('A conversation with no matching counsellor online overflows to any counsellor after this long (0 = never)'),
  OFFLINE_CLAIM_MS: ms(15 * 60_000).describe('How long a counsellor who opened a left message to answer it keeps it to themselves (then anyone may take it)'),
  DEFAULT_CAPACITY: z.coerce.number().int().min(1).max(20).default(2).describe('Default simultaneous chats per counsellor'),
  BOARD_REFRESH_MS: ms(1_000).describe('How often the supervisors\' board is recomputed when nothing changed, so that waits and durations tick (a change pushes it within ~250 ms on its own; 0 = only on changes, for measuring that path)'),
  DELIVERY_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(10).describe('Attempts to hand a staff message or event to a channel (API inbox webhook...) before its delivery is failed (the admin can replay it)'),
  DELIVERY_BACKOFF_MS: ms(2_000).describe('First wait before a delivery is tried again; each next wait doubles'),
  DELIVERY_TIMEOUT_MS: ms(10_000).describe('How long a channel\'s receiver (an API inbox\'s webhook) has to answer one delivery'),
  DELIVERY_SWEEP_AFTER_MS: ms(60_000).describe('A queued delivery this old whose job is gone (Redis lost it, or an instance died between commit and enqueue) is queued again by the sweep'),
  VIBER_API_URL: z.url().default('https://chatapi.viber.com/pa').describe('Base URL of the Viber REST bot API (tests point it at a local stand-in)'),
  TELEGRAM_API_URL: z.url().default('https://api.telegram.org').describe('Base URL of the Telegram Bot API (tests point it at a local stand-in)'),
  META_GRAPH_URL: z.url().default('https://graph.facebook.com/v21.0').describe('Base URL of Meta\'s Graph API with its version, for Messenger, Instagram and WhatsApp (tests point it at a local stand-in)'),
  META_REPLY_WINDOW_MS: ms(24 * 3600_000).describe('Meta\'s reply window: a reply to a Messenger, Instagram or WhatsApp contact later than this after their last message is not sent (failed `outside_window`)'),
  APP_WEBHOOK_MAX_BYTES: z.coerce.number().int().min(1024).max(10_000_000).default(262_144).describe('Largest webhook body a messaging app may post (then 413)'),
  EMAIL_MAX_BYTES: z.coerce.number().int().min(1024).max(200 * 1024 * 1024).default(25 * 1024 * 1024).describe('Largest e-mail an e-mail inbox takes (bytes); a larger one is refused with a note to its sender and nothing of it is stored'),
  EMAIL_POLL_MS: ms(60_000).describe('How often each e-mail inbox\'s receiving session starts (a BullMQ job scheduler: one session per mailbox at a time); within a session new mail comes by IMAP IDLE'),
  EMAIL_IDLE_MS: ms(50_000).describe('How long one receiving session waits in IMAP IDLE (or polls with NOOP where IDLE is missing) before it ends; keep it below EMAIL_POLL_MS'),
  EMAIL_TIMEOUT_MS: ms(20_000).describe('Connection and greeting timeout of the e-mail inboxes\' IMAP and SMTP servers'),
  API_INBOX_RATE_PER_MIN: z.coerce.number().int().min(1).max(1_000_000).default(600).describe('Messages one API inbox may post per minute (then `rate_limited`)'),
  SWEEP_INTERVAL_MS: ms(5_000).describe('Interval of the reconciliation sweep (expired offers, lost connections, timers lost with Redis)'),
  SHUTDOWN_GRACE_MS: ms(10_000).describe('Time given to in-flight work on shutdown'),
  MESSAGE_RATE_PER_10S: z.coerce.number().int().min(1).default(30).describe('Messages a visitor session may send per 10 seconds'),
  LOGINS_PER_IP_PER_MIN: z.coerce.number().int().min(1).default(60).describe('Login attempts one IP may make per minute, right or wrong (wrong passwords are also limited per account and address: 10 per 15 minutes; see docs/security.md)'),
  WIDGET_CONNECTIONS_PER_IP_PER_MIN: z.coerce.number().int().min(1).default(600).describe('Widget connections one IP may open per minute (schools share one IP: keep it generous)'),
  RETENTION_PURGE_CRON: z.string().min(9).max(100).default('30 3 * * *').describe('When the daily retention purge runs (cron pattern, UTC)'),
  RETENTION_BATCH_SIZE: z.coerce.number().int().min(1).max(10000).default(25).describe('Conversations whose transcripts the purge blanks in one transaction'),
  RETENTION_PAUSE_RATIO: z.coerce.number().min(0).max(20).default(2).describe('After each purge batch, the purge waits this many times as long as the batch took, leaving the database to live chats (2: it works a third of the time)'),
  CENTRE_PROFILE: z.enum(CENTRE_PROFILES).optional().describe('Centre profile applied on first start when none was chosen yet: `bg` (Bulgaria), `sr` (Serbia) or `neutral` (languages, time zone, holidays, phone line, referral institutions, police unit, INHOPE routing, risk words; all editable afterwards, and the admin pages can apply another one; nothing is ever deleted)'),
  VOICE_CONTROL_URL: z.url().optional().describe('The SIP proxy\'s control address (Kamailio\'s HTTP listener, deploy/voice/kamailio.cfg), which the platform asks to ring a counsellor\'s softphone. Unset (or any VOICE_ setting missing) = no phone line'),
  VOICE_TOKEN: z.string().min(16).optional().describe('Shared token between the platform and the SIP proxy, both ways (X-Helpline-Token)'),
  VOICE_SIP_SECRET: z.string().min(16).optional().describe('Secret the SIP proxy checks softphones\' short-lived credentials with (auth_ephemeral)'),
  VOICE_WS_URL: z.string().regex(/^wss?:\/\//, 'must be a ws:// or wss:// URL').optional().describe('The SIP proxy\'s WebSocket, where the console\'s softphones register (wss:// in production)'),
  VOICE_SIP_DOMAIN: z.string().min(1).default('helpline.invalid').describe('SIP domain of the softphones (the proxy\'s alias)'),
  VOICE_RTPENGINE: z.string().regex(/^udp:(\[[^\]]+\]|[^:]+):\d+$/, 'must be udp:<host>:<port>').optional().describe('rtpengine\'s control socket (its --listen-ng), e.g. `udp:127.0.0.1:22222`: the waiting caller\'s early media and messages. Unset = callers hear ringing while they wait'),
  VOICE_PROMPTS_DIR: z.string().optional().describe('The folder of the waiting messages\' recordings as the media server (rtpengine) sees it: `<bg|sr|en>/welcome.wav`, `position-1.wav`…`position-9.wav`, `position-many.wav`, `alternatives.wav` (docs/voice.md)'),
  VOICE_ANNOUNCE_EVERY_MS: ms(30_000).describe('A waiting caller hears her place in the queue again this often (recordings in the media server\'s prompts folder, docs/voice.md)'),
  VOICE_ALTERNATIVES_AFTER_MS: ms(120_000).describe('After this long waiting, a caller hears the alternatives once (write to the chat, leave a message, call again later); 0 = never'),
  VOICE_NUMBERS: list.optional().describe('The language of each number the centre answers, e.g. `124123=bg,116111=sr-Cyrl`; other numbers: the centre\'s default language'),
  SMTP_URL: z.string().optional().describe('SMTP server for feedback e-mails to reporters (smtp://user:pass@host:port); unset = no e-mail'),
  MAIL_FROM: z.string().default('hotline@localhost').describe('Sender address of e-mails'),
  HOTLINE_POW_BITS: z.coerce.number().int().min(0).max(24).default(16).describe('Proof-of-work of the public report form: leading zero bits the browser must find (0 = off)'),
  HOTLINE_CLAIM_MINUTES: z.coerce.number().int().min(1).max(1440).default(30).describe('An analyst\'s claim on a hotline report lapses this many minutes after their last step on it, so a report held by someone who left is free again'),
  HOTLINE_TAKEDOWN_REMINDER_HOURS: z.coerce.number().int().min(1).max(2160).default(72).describe('A URL whose hosting provider was sent a notice is shown to analysts as overdue when it is still not removed this many hours later (INHOPE counts removal within 3 days)'),
  HOTLINE_REPORTS_PER_10MIN: z.coerce.number().int().min(1).default(20).describe('Hotline reports one IP address may file per 10 minutes'),
  SERVER_SECRET: z
    .string()
    .min(32)
    .optional()
    .describe('Secret key of the keyed hashes of return codes and pick-up codes (at least 32 characters, e.g. `openssl rand -hex 32`; the same on every instance; keep it out of the database and its backups). Required with DATABASE_URL; unset on the embedded default = generated once into DATA_DIR/secret'),
  VAPID_PUBLIC_KEY: z
    .string()
    .regex(/^[A-Za-z0-9_-]{87}$/, 'must be a base64url P-256 public key (87 characters, as `npx web-push generate-vapid-keys` prints)')
    .optional()
    .describe('Web Push (alerts to browsers): the VAPID public key, base64url. Set with VAPID_PRIVATE_KEY, the same on every instance (`npx web-push generate-vapid-keys`). Unset on the embedded default = generated once into DATA_DIR/vapid.json; unset with DATABASE_URL = no push'),
  VAPID_PRIVATE_KEY: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/, 'must be a base64url P-256 private key (43 characters)')
    .optional()
    .describe('Web Push: the VAPID private key, base64url (keep it out of the database and its backups)'),
  VAPID_SUBJECT: z
    .string()
    .regex(/^(https:\/\/|mailto:)/, 'must be an https: URL or a mailto: address')
    .optional()
    .describe('Web Push: how push services reach the centre about its pushes (VAPID `sub`); default: PUBLIC_URL when it is https, else mailto:webpush@localhost'),
  PUSH_SERVICE_HOSTS: list
    .default(['fcm.googleapis.com', 'updates.push.services.mozilla.com', '*.notify.windows.com', '*.push.apple.com'])
    .describe('Hosts a Web Push subscription\'s endpoint may be on (a leading `*.` matches subdomains): the browsers\' push services. The server posts to these endpoints, so an open list would let anyone make it call any address'),
  PUSH_ALLOW_LOCAL_ENDPOINTS: bool.default(false).describe('Tests and development only: also accept subscriptions whose endpoint is http://127.0.0.1:PORT (a local stand-in for a push service)'),
  PUSH_TTL_S: z.coerce.number().int().min(0).max(2_419_200).default(86_400).describe('How long a push service keeps an undelivered alert for an offline browser (seconds; never past the alert\'s expiry)'),
  PUSH_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(6).describe('Attempts to hand one alert to one subscription\'s push service when it answers 429 or 5xx'),
  PUSH_BACKOFF_MS: ms(10_000).describe('First wait before a push is tried again; each next wait doubles (never sooner than a 429\'s Retry-After)'),
  PUSH_TIMEOUT_MS: ms(10_000).describe('How long a push service has to answer one push'),
  PUSH_SUBSCRIBES_PER_IP_PER_10MIN: z.coerce.number().int().min(1).default(60).describe('Push subscriptions and removals one IP may make per 10 minutes (schools share one IP)'),
  METRICS_TOKEN: z.string().min(16).optional().describe('Bearer token required to read /metrics; unset = only this machine may read it (loopback connections that no proxy forwarded). Set it behind a proxy on the same machine'),
});

export type RawConfig = z.output<typeof configSchema>;

export interface Config extends RawConfig {
  publicUrl: string;
  publicOrigin: string;
  embedded: { postgres: boolean; redis: boolean };
  demoAccounts: boolean;
  cookieSecure: boolean;
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings mean "unset" so that `FOO= pnpm start` behaves like no FOO.
  const input = Object.fromEntries(
    Object.keys(configSchema.shape).flatMap((k) => (env[k] !== undefined && env[k] !== '' ? [[k, env[k]]] : [])),
  );
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  const raw = parsed.data;
  const publicUrl = (raw.PUBLIC_URL ?? `http://localhost:${raw.PORT}`).replace(/\/+$/, '');
  const embedded = { postgres: !raw.DATABASE_URL, redis: !raw.REDIS_URL };
  return {
    ...raw,
    publicUrl,
    publicOrigin: new URL(publicUrl).origin,
    embedded,
    demoAccounts: raw.DEMO_ACCOUNTS ?? (embedded.postgres && embedded.redis),
    cookieSecure: raw.COOKIE_SECURE ?? publicUrl.startsWith('https:'),
  };
}

/** Rows for the README's settings table. */
export function describeSettings(): { name: string; meaning: string; default: string }[] {
  return Object.entries(configSchema.shape).map(([name, schema]) => {
    const s = schema as z.ZodType & { description?: string };
    let def = '';
    const parsed = (schema as z.ZodType).safeParse(undefined);
    if (parsed.success && parsed.data !== undefined) def = Array.isArray(parsed.data) ? parsed.data.join(',') : String(parsed.data);
    return { name, meaning: s.description ?? '', default: def };
  });
}
