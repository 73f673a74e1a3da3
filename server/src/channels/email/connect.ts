// The mailbox's two servers: an IMAP client and an SMTP transport from an inbox's settings, and what a
// failure of either was, as one typed code the admin can act on (DNS, unreachable, TLS, login...).
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import type { EmailConnectionError, EmailConnectionTest } from '@helpline/shared';
import type { EmailSecrets, EmailSettings } from './settings.js';

export function imapClient(s: EmailSettings, secrets: EmailSecrets, timeoutMs: number): ImapFlow {
  return new ImapFlow({
    host: s.imapHost,
    port: s.imapPort,
    secure: s.imapTls,
    auth: { user: s.imapUser, pass: secrets.imapPassword },
    logger: false,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: Math.max(timeoutMs * 15, 5 * 60_000),
  });
}

export function smtpTransport(s: EmailSettings, secrets: EmailSecrets, timeoutMs: number) {
  return nodemailer.createTransport({
    host: s.smtpHost,
    port: s.smtpPort,
    secure: s.smtpTls,
    auth: s.smtpUser ? { user: s.smtpUser, pass: secrets.smtpPassword } : undefined,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs * 3,
  });
}

const TLS_CODES = /^(ERR_TLS|ERR_SSL|EPROTO$|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO|CERT_|ERR_OSSL|HOSTNAME_MISMATCH|ETLS$)/;

/** What failed, from an imapflow or nodemailer error (or the socket error under it). */
export function classify(err: unknown, side: 'imap' | 'smtp'): EmailConnectionError {
  const e = err as { code?: string; authenticationFailed?: boolean; responseCode?: number; command?: string; cause?: { code?: string }; message?: string };
  const code = e?.code ?? e?.cause?.code ?? '';
  if (side === 'imap' && e?.authenticationFailed) return 'imap_login';
  if (side === 'smtp' && code === 'EAUTH') return 'smtp_login';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EDNS') return 'dns';
  if (TLS_CODES.test(code) || /wrong version number|ssl|tls|certificate/i.test(e?.message ?? '')) return 'tls';
  if (code === 'ETIMEDOUT' || code === 'ETIMEOUT' || code === 'CONNECT_TIMEOUT' || code === 'GREETING_TIMEOUT' || /timed? ?out/i.test(e?.message ?? '')) return 'timeout';
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ECONNRESET' || code === 'ECONNECTION' || code === 'ESOCKET' || code === 'NoConnection') return 'unreachable';
  if (side === 'smtp' && typeof e?.responseCode === 'number') return 'smtp_refused';
  return 'other';
}

/** A short reason for the admin: the code and the server's own words, never a password or a stack. */
const detailOf = (err: unknown): string => {
  const e = err as { code?: string; responseText?: string; response?: string; message?: string };
  return [e?.code, e?.responseText ?? e?.response ?? e?.message].filter(Boolean).join(': ').slice(0, 300);
};

export async function testConnection(s: EmailSettings, secrets: EmailSecrets, timeoutMs: number): Promise<EmailConnectionTest> {
  const imap = await (async () => {
    const c = imapClient(s, secrets, timeoutMs);
    c.on('error', () => {});
    try {
      await c.connect();
      try {
        await c.mailboxOpen('INBOX', { readOnly: true });
      } catch (err) {
        return { ok: false, error: 'imap_mailbox' as const, detail: detailOf(err) };
      }
      return { ok: true, error: null, detail: null };
    } catch (err) {
      return { ok: false, error: classify(err, 'imap'), detail: detailOf(err) };
    } finally {
      await c.logout().catch(() => c.close());
    }
  })();
  const smtp = await (async () => {
    const t = smtpTransport(s, secrets, timeoutMs);
    try {
      await t.verify();
      return { ok: true, error: null, detail: null };
    } catch (err) {
      return { ok: false, error: classify(err, 'smtp'), detail: detailOf(err) };
    } finally {
      t.close();
    }
  })();
  return { imap, smtp };
}
