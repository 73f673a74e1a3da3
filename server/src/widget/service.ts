// Leave-a-message: the child writes when nobody can chat and comes back later with a reference and a
// pick-up code. The code is the only key to the answer, so only its Argon2 hash is stored.
import { randomInt } from 'node:crypto';
import { and, desc, eq } from 'drizzle-orm';
import { hash, verify } from '@node-rs/argon2';
import type { AgeGroup, Language, OfflineMessageCreated, OfflineMessageStatus, StaffOfflineMessage, Topic } from '@helpline/shared';
import type { Db } from '../db/client.js';
import type { AuditService } from '../audit/service.js';
import { AppError } from '../http/errors.js';
import { offlineMessages } from './tables.js';

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

type Row = typeof offlineMessages.$inferSelect;

function staffView(r: Row): StaffOfflineMessage {
  return {
    id: r.id,
    reference: r.reference,
    body: r.body,
    language: r.language,
    ageGroup: r.ageGroup,
    topic: r.topic,
    status: r.status,
    answer: r.answer,
    answeredBy: r.answeredBy,
    answeredAt: r.answeredAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
  };
}

export function createOfflineMessageService(db: Db, audit: AuditService) {
  // Verifying against a dummy hash for unknown references keeps the answer time independent of them.
  let dummy: Promise<string> | null = null;
  return {
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
      if (row.status === 'answered' && row.answer) return { status: 'answered', answer: row.answer, answeredAt: row.answeredAt!.toISOString() };
      return { status: 'new' };
    },

    async list(staffId: string, q: { status?: 'new' | 'answered'; limit?: number }): Promise<StaffOfflineMessage[]> {
      const rows = await db
        .select()
        .from(offlineMessages)
        .where(q.status ? eq(offlineMessages.status, q.status) : undefined)
        .orderBy(desc(offlineMessages.createdAt))
        .limit(q.limit ?? 200);
      // Staff reading what children wrote is logged, like any transcript read.
      await audit.record({ actorType: 'staff', actorId: staffId, action: 'offline_message.list', targetType: 'offline_message', meta: { count: rows.length } });
      return rows.map(staffView);
    },

    /** Answer once: a second answer (two counsellors at once) is a conflict, not an overwrite. */
    async answer(staffId: string, id: string, answer: string): Promise<StaffOfflineMessage> {
      const row = await db.transaction(async (tx) => {
        const [updated] = await tx
          .update(offlineMessages)
          .set({ status: 'answered', answer, answeredBy: staffId, answeredAt: new Date() })
          .where(and(eq(offlineMessages.id, id), eq(offlineMessages.status, 'new')))
          .returning();
        if (!updated) {
          const [exists] = await tx.select({ id: offlineMessages.id }).from(offlineMessages).where(eq(offlineMessages.id, id));
          if (!exists) throw new AppError('not_found', 'No such message');
          throw new AppError('invalid_state', 'This message has already been answered');
        }
        await audit.record({ actorType: 'staff', actorId: staffId, action: 'offline_message.answered', targetType: 'offline_message', targetId: id }, tx);
        return updated;
      });
      return staffView(row);
    },
  };
}
export type OfflineMessageService = ReturnType<typeof createOfflineMessageService>;
