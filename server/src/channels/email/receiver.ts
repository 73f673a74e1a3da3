// Receiving: one session per mailbox at a time, started by a BullMQ job scheduler (one job id per
// inbox; BullMQ hands each job to one worker and renews its lock). A session connects, takes every
// mail above the last UID taken (UIDVALIDITY and the last UID are kept in Postgres, advanced after each
// mail is stored), then waits in IMAP IDLE (imapflow falls back to NOOP polling where IDLE is missing)
// and takes what arrives, until its window ends. Each mail is received through the seam with an
// external id of its Message-ID (or mailbox + UIDVALIDITY + UID without one): a mail taken again
// after a crash, a reconnect or a new UIDVALIDITY is the same message.
import { and, eq, lt, sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type { ImapFlow } from 'imapflow';
import type { Db } from '../../db/client.js';
import type { Config } from '../../config.js';
import type { Clock } from '../../infra/clock.js';
import { loggableError } from '../../http/errors.js';
import type { Inboxes, OpenInbox } from '../inboxes.js';
import { classify, imapClient } from './connect.js';
import type { EmailIntake } from './intake.js';
import { secretsOf, settingsOf } from './settings.js';
import { emailMailboxes } from './tables.js';

export interface ReceiverDeps {
  db: Db;
  config: Pick<Config, 'EMAIL_MAX_BYTES' | 'EMAIL_IDLE_MS' | 'EMAIL_TIMEOUT_MS'>;
  inboxes: Inboxes;
  intake: EmailIntake;
  clock: Clock;
  log: FastifyBaseLogger;
}

/** Mails taken per FETCH of UIDs: a burst of thousands is taken in order, a batch at a time. */
const BATCH = 200;

/**
 * imapflow answers a FETCH on a connection that has closed with nothing rather than an error (it
 * forgets the open mailbox on close): without this check every mail left in the batch would look
 * expunged and its UID be passed, so a dropped connection would lose them.
 */
function connected(client: ImapFlow): void {
  if (!client.usable) throw Object.assign(new Error('IMAP connection closed'), { code: 'NoConnection' });
}

export function createReceiver(d: ReceiverDeps) {
  const { db } = d;

  async function recordError(inboxId: string, error: ReturnType<typeof classify>): Promise<void> {
    await db
      .insert(emailMailboxes)
      .values({ inboxId, lastError: error, lastErrorAt: new Date(d.clock.now()) })
      .onConflictDoUpdate({ target: emailMailboxes.inboxId, set: { lastError: error, lastErrorAt: new Date(d.clock.now()) } });
  }

  /** The mailbox's row for this UIDVALIDITY: a new validity starts the UIDs over (Message-IDs keep old mail from being taken twice). */
  async function stateFor(inboxId: string, uidValidity: number): Promise<number> {
    const now = new Date(d.clock.now());
    const [row] = await db
      .insert(emailMailboxes)
      .values({ inboxId, uidValidity, lastUid: 0, lastOkAt: now })
      .onConflictDoUpdate({
        target: emailMailboxes.inboxId,
        set: {
          lastUid: sql`case when ${emailMailboxes.uidValidity} is distinct from ${uidValidity} then 0 else ${emailMailboxes.lastUid} end`,
          uidValidity,
          lastError: null,
          lastErrorAt: null,
          lastOkAt: now,
        },
      })
      .returning({ lastUid: emailMailboxes.lastUid });
    return row!.lastUid;
  }

  async function advance(inboxId: string, uidValidity: number, uid: number): Promise<void> {
    await db
      .update(emailMailboxes)
      .set({ lastUid: uid, lastOkAt: new Date(d.clock.now()) })
      .where(and(eq(emailMailboxes.inboxId, inboxId), eq(emailMailboxes.uidValidity, uidValidity), lt(emailMailboxes.lastUid, uid)));
  }

  /** Take every mail above `lastUid`, in UID order, until none is left or the window closed. */
  async function pull(client: ImapFlow, inbox: OpenInbox, uidValidity: number, from: number, until: number): Promise<number> {
    let last = from;
    for (;;) {
      const batch: { uid: number; size: number }[] = [];
      for await (const m of client.fetch(`${last + 1}:*`, { uid: true, size: true }, { uid: true })) {
        // "n:*" also answers the highest mail when it is below n.
        if (m.uid > last) batch.push({ uid: m.uid, size: m.size ?? 0 });
      }
      batch.sort((a, b) => a.uid - b.uid);
      if (batch.length === 0) return last;
      for (const m of batch.slice(0, BATCH)) {
        if (m.size > d.config.EMAIL_MAX_BYTES) {
          const head = await client.fetchOne(String(m.uid), { headers: true }, { uid: true });
          connected(client);
          await d.intake.refuseTooLarge(inbox, head && head.headers ? head.headers : Buffer.alloc(0), m.size);
        } else {
          const msg = await client.fetchOne(String(m.uid), { source: true }, { uid: true });
          connected(client);
          // Nothing on a live connection: the mail was expunged meanwhile, and is passed.
          if (msg && msg.source) await d.intake.take(inbox, msg.source, { uidValidity, uid: m.uid });
        }
        await advance(inbox.id, uidValidity, m.uid);
        last = m.uid;
        if (d.clock.now() > until) return last;
      }
    }
  }

  /** One receiving session of one mailbox (the scheduler's job). Failures are recorded for the admin. */
  async function session(inboxId: string): Promise<void> {
    const inbox = await d.inboxes.open(inboxId);
    if (!inbox || !inbox.enabled || inbox.channel !== 'email') return;
    const s = settingsOf(inbox.config);
    const client = imapClient(s, secretsOf(inbox), d.config.EMAIL_TIMEOUT_MS);
    client.on('error', (err: unknown) => d.log.warn({ inboxId, err: loggableError(err) }, 'imap connection error'));
    try {
      await client.connect();
    } catch (err) {
      const code = classify(err, 'imap');
      await recordError(inboxId, code);
      d.log.warn({ inboxId, code }, 'mailbox connection failed');
      return;
    }
    const until = d.clock.now() + d.config.EMAIL_IDLE_MS;
    let wake: (() => void) | null = null;
    let pending = true;
    client.on('exists', () => {
      pending = true;
      wake?.();
    });
    let lock: { release(): void } | null = null;
    try {
      lock = await client.getMailboxLock('INBOX');
      const mailbox = client.mailbox;
      if (!mailbox) throw new Error('INBOX did not open');
      const uidValidity = Number(mailbox.uidValidity);
      let last = await stateFor(inboxId, uidValidity);
      while (client.usable) {
        if (pending) {
          pending = false;
          last = await pull(client, inbox, uidValidity, last, until);
        }
        const left = until - d.clock.now();
        if (left <= 0) break;
        // Meanwhile imapflow sits in IDLE: an 'exists' (new mail) wakes this loop at once.
        let onClose: (() => void) | null = null;
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          wake = () => (clearTimeout(t), resolve());
          onClose = wake;
          client.once('close', onClose);
        });
        // One listener per wait, removed after it: a long session waits many times.
        if (onClose) client.off('close', onClose);
        wake = null;
      }
    } catch (err) {
      if (!client.usable) {
        await recordError(inboxId, classify(err, 'imap'));
        return;
      }
      throw err;
    } finally {
      lock?.release();
      await client.logout().catch(() => client.close());
    }
  }

  return { session };
}
export type Receiver = ReturnType<typeof createReceiver>;
