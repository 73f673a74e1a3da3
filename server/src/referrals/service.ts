// Institutions (admin list) and referrals. A referral to the police waits for the approval of a second
// person (a supervisor other than the requester); any other referral is recorded at once.
import { and, asc, desc, eq, or, sql, type SQL } from 'drizzle-orm';
import type { Institution, InstitutionInput, Referral, ReferralRequest, ReferralStatus, StaffProfile } from '@helpline/shared';
import type { Db } from '../db/client.js';
import { AppError } from '../http/errors.js';
import type { AuditService } from '../audit/service.js';
import type { ConversationService } from '../conversations/service.js';
import type { CaseService } from '../cases/service.js';
import { institutions, referrals } from './tables.js';
import { DEFAULT_INSTITUTIONS } from './defaults.js';

type Staff = Pick<StaffProfile, 'id' | 'role'>;
type InstitutionRow = typeof institutions.$inferSelect;
const toInstitution = (r: InstitutionRow): Institution => ({ id: r.id, name: r.name, kind: r.kind, contact: r.contact, active: r.active });
// Supervisors only: admins manage the platform and read no case, so they neither see referral notes
// nor are the second person for a police referral.
const supervises = (s: Staff) => s.role === 'supervisor';

export interface ReferralDeps {
  conversations: ConversationService;
  cases: Pick<CaseService, 'caseRef' | 'caseIdOf'>;
  audit: AuditService;
  /** Requesters' names are the staff accounts' (auth's). */
  staffNames(ids: string[]): Promise<Map<string, string>>;
}

export function createReferralService(db: Db, deps: ReferralDeps) {
  async function seedOnce(): Promise<void> {
    await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext('institutions_seed'))`);
      const [any] = await tx.select({ id: institutions.id }).from(institutions).limit(1);
      if (!any) await tx.insert(institutions).values(DEFAULT_INSTITUTIONS.map((i) => ({ name: i.name, kind: i.kind, contact: i.contact ?? null })));
    });
  }

  async function select(where: SQL | undefined): Promise<Referral[]> {
    const rows = await db
      .select({ r: referrals, i: institutions })
      .from(referrals)
      .innerJoin(institutions, eq(institutions.id, referrals.institutionId))
      .where(where)
      .orderBy(desc(referrals.createdAt));
    const names = await deps.staffNames([...new Set(rows.map(({ r }) => r.requestedBy))]);
    return rows.map(({ r, i }) => ({
      id: r.id,
      institutionId: i.id,
      institutionName: i.name,
      institutionKind: i.kind,
      conversationId: r.conversationId,
      caseId: r.caseId,
      note: r.note,
      status: r.status,
      requestedBy: r.requestedBy,
      requestedByName: names.get(r.requestedBy) ?? null,
      decidedBy: r.decidedBy,
      decidedAt: r.decidedAt?.toISOString() ?? null,
      decisionNote: r.decisionNote,
      createdAt: r.createdAt.toISOString(),
    }));
  }

  /**
   * The counsellor acts on their own conversation and their own case; supervisors on any. A case named
   * with a conversation must be that conversation's record: otherwise one's own conversation would
   * carry a referral onto somebody else's case.
   */
  async function checkRelation(staff: Staff, input: { conversationId?: string | null; caseId?: string | null }): Promise<void> {
    if (input.conversationId && !supervises(staff)) {
      const c = await deps.conversations.get(input.conversationId);
      if (c.assignedStaffId !== staff.id) throw new AppError('forbidden', 'This conversation is not assigned to you');
    }
    if (input.caseId) {
      const cr = await deps.cases.caseRef(input.caseId);
      if (!cr) throw new AppError('not_found', 'No such case');
      if (!supervises(staff) && cr.staffId !== staff.id) throw new AppError('forbidden', 'Not your case');
      if (input.conversationId && cr.conversationId !== input.conversationId) throw new AppError('invalid_payload', 'This case is not the record of that conversation');
    }
  }

  return {
    async listInstitutions(includeInactive = false): Promise<Institution[]> {
      await seedOnce();
      const rows = await db
        .select()
        .from(institutions)
        .where(includeInactive ? undefined : eq(institutions.active, true))
        .orderBy(asc(institutions.kind), asc(institutions.name));
      return rows.map(toInstitution);
    },
    /** Adds the institutions whose name is not in the list yet (a centre profile); changes and removes nothing. */
    async addMissingInstitutions(list: readonly InstitutionInput[]): Promise<number> {
      return db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(hashtext('institutions_seed'))`);
        const have = new Set((await tx.select({ name: institutions.name }).from(institutions)).map((r) => r.name));
        const add = list.filter((i) => !have.has(i.name));
        if (add.length) await tx.insert(institutions).values(add.map((i) => ({ name: i.name, kind: i.kind, contact: i.contact ?? null })));
        return add.length;
      });
    },
    async createInstitution(adminId: string, input: InstitutionInput): Promise<Institution> {
      await seedOnce();
      const [row] = await db.insert(institutions).values({ name: input.name, kind: input.kind, contact: input.contact ?? null, active: input.active ?? true }).returning();
      await deps.audit.record({ actorType: 'staff', actorId: adminId, action: 'institution.create', targetType: 'institution', targetId: row!.id });
      return toInstitution(row!);
    },
    async updateInstitution(adminId: string, id: string, input: InstitutionInput): Promise<Institution> {
      const [row] = await db
        .update(institutions)
        .set({ name: input.name, kind: input.kind, contact: input.contact ?? null, ...(input.active === undefined ? {} : { active: input.active }) })
        .where(eq(institutions.id, id))
        .returning();
      if (!row) throw new AppError('not_found', 'No such institution');
      await deps.audit.record({ actorType: 'staff', actorId: adminId, action: 'institution.update', targetType: 'institution', targetId: id });
      return toInstitution(row);
    },

    async create(staff: Staff, input: ReferralRequest): Promise<Referral> {
      if (!input.conversationId && !input.caseId) throw new AppError('invalid_payload', 'A referral needs a conversation or a case');
      await checkRelation(staff, input);
      const [inst] = await db.select().from(institutions).where(eq(institutions.id, input.institutionId));
      if (!inst || !inst.active) throw new AppError('not_found', 'No such institution');
      let caseId = input.caseId ?? null;
      if (!caseId && input.conversationId) {
        caseId = await deps.cases.caseIdOf(input.conversationId);
      }
      const status: ReferralStatus = inst.kind === 'police' ? 'pending_approval' : 'recorded';
      const [row] = await db
        .insert(referrals)
        .values({ institutionId: inst.id, conversationId: input.conversationId ?? null, caseId, note: input.note ?? null, status, requestedBy: staff.id })
        .returning();
      await deps.audit.record({ actorType: 'staff', actorId: staff.id, action: 'referral.create', targetType: 'referral', targetId: row!.id, meta: { institutionId: inst.id, status } });
      return (await select(eq(referrals.id, row!.id)))[0]!;
    },

    async forConversation(staff: Staff, conversationId: string): Promise<Referral[]> {
      await checkRelation(staff, { conversationId });
      return select(eq(referrals.conversationId, conversationId));
    },
    /** Referrals of a case, including those made during its conversation before the record existed. */
    async forCase(record: { id: string; conversationId: string | null }): Promise<Referral[]> {
      return select(record.conversationId ? or(eq(referrals.caseId, record.id), eq(referrals.conversationId, record.conversationId)) : eq(referrals.caseId, record.id));
    },

    async list(status?: ReferralStatus): Promise<Referral[]> {
      return select(status ? eq(referrals.status, status) : undefined);
    },

    /** Four eyes: a supervisor other than the requester approves or rejects a police referral. */
    async decide(staff: Staff, id: string, decision: 'approved' | 'rejected', note?: string): Promise<Referral> {
      if (!supervises(staff)) throw new AppError('forbidden', 'Only a supervisor may decide');
      const [r] = await db.select().from(referrals).where(eq(referrals.id, id));
      if (!r) throw new AppError('not_found', 'No such referral');
      if (r.requestedBy === staff.id) throw new AppError('forbidden', 'A second person must approve this referral');
      const [row] = await db
        .update(referrals)
        .set({ status: decision, decidedBy: staff.id, decidedAt: new Date(), decisionNote: note ?? null })
        .where(and(eq(referrals.id, id), eq(referrals.status, 'pending_approval')))
        .returning();
      if (!row) throw new AppError('invalid_state', 'This referral was already decided');
      await deps.audit.record({ actorType: 'staff', actorId: staff.id, action: `referral.${decision === 'approved' ? 'approve' : 'reject'}`, targetType: 'referral', targetId: id });
      return (await select(eq(referrals.id, id)))[0]!;
    },

  };
}
export type ReferralService = ReturnType<typeof createReferralService>;
