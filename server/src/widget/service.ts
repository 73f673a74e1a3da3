// Leave-a-message: the child writes when nobody can chat and comes back later with a reference and a
// pick-up code. The code is the only key to the answer, so only its Argon2 hash is stored.
import { randomInt } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { hash, verify } from '@node-rs/argon2';
import type { AgeGroup, Language, OfflineMessageCreated, OfflineMessageStatus, Topic } from '@helpline/shared';
import type { Db } from '../db/client.js';
import { AppError } from '../http/errors.js';
import { offlineMessages } from './tables.js';
import { createOfflineInbox, type InboxDeps } from './inbox.js';

// Crockford's base32: no I, L, O, U, so a code read aloud or written by hand survives.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ARGON = { algorithm: 2 as const, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

function randomChars(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return s;
}

/** Uppercase, drop separators, and read the look-alike letters as the digits they stand for. */
export function normaliseCode(s: string): string {
  return s
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
}

export type OfflineMessageDeps = Omit<InboxDeps, 'publish'>;

export function createOfflineMessageService(db: Db, deps: OfflineMessageDeps) {
  const { audit } = deps;
  const listeners = new Set<InboxDeps['publish']>();
  const inbox = createOfflineInbox(db, {
    ...deps,
    publish: (e) => {
      for (const fn of listeners) fn(e);
    },
  });
  const now = deps.now ?? (() => new Date());
  // Verifying against a dummy hash for unknown references keeps the answer time independent of them.
  let dummy: Promise<string> | null = null;
  return {
    ...inbox,
    /** Be told of every change of the inbox (the board; the consoles through the socket). */
    onChange(fn: InboxDeps['publish']): void {
      listeners.add(fn);
    },

    async create(input: { body: string; language?: Language; ageGroup?: AgeGroup; topic?: Topic }): Promise<OfflineMessageCreated> {
      // 12 characters of base32 = 60 bits: not guessable through a rate-limited endpoint.
      const code = randomChars(12);
      const pickupCodeHash = await hash(code, ARGON);
      for (let attempt = 0; ; attempt++) {
        const reference = `M-${randomChars(8)}`;
        const [row] = await db
          .insert(offlineMessages)
          .values({ reference, pickupCodeHash, body: input.body, language: input.language ?? null, ageGroup: input.ageGroup ?? null, topic: input.topic ?? null })
          .onConflictDoNothing({ target: offlineMessages.reference })
          .returning({ id: offlineMessages.id });
        if (row) {
          await audit.record({ actorType: 'visitor', action: 'offline_message.created', targetType: 'offline_message', targetId: row.id });
          await inbox.changed(row.id, 'created', input.language ?? null);
          return { reference, pickupCode: `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}` };
        }
        if (attempt > 5) throw new AppError('internal', 'Could not allocate a reference');
      }
    },

    /** The answer for whoever holds the reference and its code; any mismatch is the same not_found. */
    async status(reference: string, pickupCode: string): Promise<OfflineMessageStatus> {
      const [row] = await db.select().from(offlineMessages).where(eq(offlineMessages.reference, reference.trim().toUpperCase()));
      const code = normaliseCode(pickupCode);
      if (!row) {
        dummy ??= hash('not-a-code', ARGON);
        await verify(await dummy, code);
        throw new AppError('not_found', 'Unknown reference or pick-up code');
      }
      if (!(await verify(row.pickupCodeHash, code))) throw new AppError('not_found', 'Unknown reference or pick-up code');
      if ((row.status === 'answered' || row.status === 'picked_up') && row.answer) {
        // The first read of the answer is what staff see as "picked up".
        if (row.status === 'answered') {
          const [first] = await db
            .update(offlineMessages)
            .set({ status: 'picked_up', pickedUpAt: now() })
            .where(and(eq(offlineMessages.id, row.id), eq(offlineMessages.status, 'answered')))
            .returning({ id: offlineMessages.id });
          if (first) {
            await audit.record({ actorType: 'visitor', action: 'offline_message.picked_up', targetType: 'offline_message', targetId: row.id });
            await inbox.changed(row.id, 'picked_up', row.language);
          }
        }
        return { status: 'answered', answer: row.answer, answeredAt: row.answeredAt!.toISOString() };
      }
      return { status: 'new' };
    },
  };
}
export type OfflineMessageService = ReturnType<typeof createOfflineMessageService>;
