// Return codes: a child may keep an anonymous code; a counsellor given it sees that child's earlier cases.
// Only a keyed hash of the code is stored (infra/secret.ts): codes have ~50 bits of entropy (10 symbols
// of a 32-letter alphabet without look-alikes), which a plain hash would not keep from someone trying
// every code against a copy of the database.
import { randomInt } from 'node:crypto';
import { and, desc, eq, inArray } from 'drizzle-orm';
import type { CaseRecord, StaffProfile } from '@helpline/shared';
import type { Db } from '../db/client.js';
import { AppError } from '../http/errors.js';
import type { AuditService } from '../audit/service.js';
import type { ConversationService } from '../conversations/service.js';
import { caseRecords, returnCodes } from './tables.js';
import { toCaseRecord } from './service.js';
import { legacySha256, type CodeHasher } from '../infra/secret.js';

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const CODE_LEN = 10;

/** Upper-case, without spaces and dashes: what the child types back may be formatted loosely. */
export function normaliseCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '');
}
/** How codes were stored before the keyed hash; such rows are re-hashed when their code is next used. */
const legacyHash = (code: string) => legacySha256('return-code:' + normaliseCode(code));

function newCode(): string {
  let s = '';
  for (let i = 0; i < CODE_LEN; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return `${s.slice(0, 5)}-${s.slice(5)}`;
}

type Staff = Pick<StaffProfile, 'id' | 'role'>;

export function createReturnCodeService(db: Db, deps: { conversations: ConversationService; audit: AuditService; codes: CodeHasher }) {
  const keyedHash = (code: string) => deps.codes.keyed('return-code', normaliseCode(code));

  /** The row of a code, by its keyed hash or else its legacy one (then re-hashed, compare-and-set). */
  async function find(code: string): Promise<typeof returnCodes.$inferSelect | null> {
    const keyed = keyedHash(code);
    const legacy = legacyHash(code);
    const rows = await db.select().from(returnCodes).where(inArray(returnCodes.codeHash, [keyed, legacy]));
    const rc = rows.find((r) => r.codeHash === keyed) ?? rows[0];
    if (rc && rc.codeHash !== keyed) {
      await db.update(returnCodes).set({ codeHash: keyed }).where(and(eq(returnCodes.id, rc.id), eq(returnCodes.codeHash, legacy)));
    }
    return rc ?? null;
  }

  return {
    /** The visitor a return code belongs to, or null (erasure by code). */
    async visitorByCode(code: string): Promise<string | null> {
      return (await find(code))?.visitorId ?? null;
    },

    /** For the visitor of a conversation the counsellor is handling now. */
    async generate(staff: Staff, conversationId: string): Promise<{ code: string }> {
      const c = await deps.conversations.get(conversationId);
      if (c.assignedStaffId !== staff.id && staff.role !== 'supervisor') throw new AppError('forbidden', 'This conversation is not assigned to you');
      if (!['active', 'wrapup'].includes(c.state)) throw new AppError('invalid_state', `The conversation is ${c.state}`);
      if (!c.visitorId) throw new AppError('invalid_state', 'This conversation has no visitor');
      const code = newCode();
      const [row] = await db.insert(returnCodes).values({ codeHash: keyedHash(code), visitorId: c.visitorId, conversationId, createdBy: staff.id }).returning();
      await deps.audit.record({ actorType: 'staff', actorId: staff.id, action: 'return_code.create', targetType: 'conversation', targetId: conversationId, meta: { returnCodeId: row!.id } });
      return { code };
    },

    /** Earlier case records of the visitor the code belongs to; every such read is audited. */
    async lookup(staff: Staff, code: string): Promise<CaseRecord[]> {
      const rc = await find(code);
      if (!rc) {
        await deps.audit.record({ actorType: 'staff', actorId: staff.id, action: 'case.read_by_return_code', targetType: 'return_code', targetId: null, meta: { found: false } });
        throw new AppError('not_found', 'Unknown return code');
      }
      const convs = await deps.conversations.idsOfVisitor(rc.visitorId);
      const rows = convs.length
        ? await db.select().from(caseRecords).where(inArray(caseRecords.conversationId, convs)).orderBy(desc(caseRecords.createdAt))
        : [];
      await deps.audit.record({
        actorType: 'staff',
        actorId: staff.id,
        action: 'case.read_by_return_code',
        targetType: 'return_code',
        targetId: rc.id,
        meta: { cases: rows.length, caseIds: rows.map((r) => r.id).join(',') },
      });
      return rows.map(toCaseRecord);
    },
  };
}
export type ReturnCodeService = ReturnType<typeof createReturnCodeService>;
