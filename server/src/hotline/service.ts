// The hotline: intake (form, widget, counsellors), the analysts' queue, status lifecycle with history,
// and what an anonymous reporter may see with their pick-up code. Workflow steps live in workflow.ts.
import { randomInt, timingSafeEqual } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type {
  HotlineReportCreated,
  HotlineReportDetail,
  HotlineReportSummary,
  HotlineRouting,
  HotlineSource,
  HotlineStatus,
  HotlineStatusView,
  StaffRole,
} from '@helpline/shared';
import type { Db, DbOrTx } from '../db/client.js';
import { AppError } from '../http/errors.js';
import type { AuditService } from '../audit/service.js';
import { hotlineActions, hotlineHistory, hotlineReports, hotlineUrls, type MailboxRoute } from './tables.js';
import { checkReportedUrl, hostOf, normalizeUrl } from './normalize.js';
import { OPEN_STATUSES, earlierAssessment, loadDetail, type ReportRow, type ViewContext } from './views.js';
import { feedbackMail, type Mailer } from './mailer.js';
import { createWorkflow } from './workflow.js';
import { listReports } from './queue.js';
import { createClaims } from './claims.js';
import type { HotlineListQuery } from './schemas.js';
import { legacySha256, type CodeHasher } from '../infra/secret.js';

const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const randomString = (n: number) => Array.from({ length: n }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
// Pick-up codes: 12 symbols of 31, looked up by reference and compared with the stored keyed hash
// (infra/secret.ts); rows of the plain SHA-256 before it are re-hashed when their code is used.
/** Case and separators do not matter when a reporter types the code back. */
const canonicalCode = (s: string) => s.toUpperCase().replace(/[^0-9A-Z]/g, '');

/** Allowed status changes; every change goes through `transition`, which checks the current one. */
export const TRANSITIONS: Record<HotlineStatus, HotlineStatus[]> = {
  new: ['in_assessment', 'assessed', 'closed'],
  in_assessment: ['assessed', 'closed'],
  assessed: ['in_assessment', 'forwarded', 'closed'],
  forwarded: ['content_removed', 'closed'],
  content_removed: ['closed'],
  closed: [],
};

export { OPEN_STATUSES };

export interface Viewer {
  id: string;
  role: StaffRole;
}

export interface IntakeInput {
  urls: string[];
  contentType?: ReportRow['contentType'] | undefined;
  whereFound?: string | undefined;
  description?: string | undefined;
  email?: string | undefined;
  language?: string | undefined;
}

export type { MailboxRoute };

/**
 * The way back through the mailbox a report came by (the e-mail channel's, late-bound in app.ts):
 * `queue` puts the feedback mail in that mailbox's job queue and answers at once (false: no such
 * mailbox any more, or it is turned off); once the mail is out the channel calls `feedbackSent`.
 */
export interface MailboxReplies {
  queue(route: MailboxRoute, mail: { reportId: string; status: HotlineStatus; to: string; subject: string; text: string }): Promise<boolean>;
}

export function createHotlineService(
  db: Db,
  deps: {
    audit: AuditService;
    mailer: Mailer | null;
    /** Late-bound: the e-mail channel's replies through a hotline mailbox (reports of source `email`). */
    mailbox?: () => MailboxReplies | null;
    log: FastifyBaseLogger;
    codes: CodeHasher;
    /** The centre profile's forwarding routing (admins edit it). */
    routing(): Promise<HotlineRouting>;
    /** Who may hold reports, for how long after their last step (HOTLINE_CLAIM_MINUTES), and when a takedown is overdue. */
    claims: ViewContext & { isAnalyst(id: string): Promise<boolean> };
  },
) {
  const pickupHash = (code: string) => deps.codes.keyed('hotline-pickup', canonicalCode(code));
  /** Whether `code` is the one stored as `stored` (keyed, or the legacy SHA-256), in constant time. */
  const pickupMatches = (stored: string, code: string): boolean => {
    const given = Buffer.from(deps.codes.isKeyed(stored) ? pickupHash(code) : legacySha256(canonicalCode(code)));
    const want = Buffer.from(stored);
    return given.length === want.length && timingSafeEqual(given, want);
  };
  type Actor = { type: 'staff' | 'visitor' | 'system'; id: string | null };

  /** Compare-and-set of the status, with its history row and audit event in the same transaction. */
  async function transition(tx: DbOrTx, reportId: string, to: HotlineStatus, actor: Actor, note: string | null, extra: Partial<ReportRow> = {}): Promise<ReportRow> {
    const [cur] = await tx.select().from(hotlineReports).where(eq(hotlineReports.id, reportId)).for('update');
    if (!cur) throw new AppError('not_found', 'No such report');
    if (!TRANSITIONS[cur.status].includes(to)) throw new AppError('invalid_state', `A report that is ${cur.status} cannot become ${to}`);
    const [row] = await tx
      .update(hotlineReports)
      .set({ ...extra, status: to, updatedAt: new Date() })
      .where(and(eq(hotlineReports.id, reportId), eq(hotlineReports.status, cur.status)))
      .returning();
    if (!row) throw new AppError('invalid_state', 'The report changed meanwhile');
    await tx.insert(hotlineHistory).values({ reportId, fromStatus: cur.status, toStatus: to, actorType: actor.type, actorId: actor.id, note });
    await deps.audit.record({ actorType: actor.type, actorId: actor.id, action: 'hotline.report.status', targetType: 'hotline_report', targetId: reportId, meta: { from: cur.status, to, note } }, tx);
    return row;
  }

  async function getRow(id: string, tx: DbOrTx = db): Promise<ReportRow> {
    const [r] = await tx.select().from(hotlineReports).where(eq(hotlineReports.id, id));
    if (!r) throw new AppError('not_found', 'No such report');
    return r;
  }

  /** Feedback sent: recorded, so a later "closed" tells nothing twice. */
  async function feedbackSent(reportId: string, status: HotlineStatus, via: 'mailer' | 'mailbox'): Promise<void> {
    await db.update(hotlineReports).set({ feedbackSentAt: new Date() }).where(eq(hotlineReports.id, reportId));
    await deps.audit.record({ actorType: 'system', actorId: null, action: 'hotline.feedback.sent', targetType: 'hotline_report', targetId: reportId, meta: { status, via } });
  }

  /**
   * Tell a reporter who left an address what was done; after the change is committed. A report that
   * came by a hotline mailbox is answered through that mailbox (a queued job: the analyst does not
   * wait for its SMTP); the others, or one whose mailbox is gone, through the hotline's mailer.
   */
  async function feedback(reportId: string): Promise<void> {
    const r = await getRow(reportId);
    if (!r.reporterEmail) return;
    // "Closed" tells nothing new to someone already told of a forward or removal.
    const mail = r.status === 'closed' && r.feedbackSentAt ? null : feedbackMail(r.reference, r.status, r.language);
    let queued = false;
    const replies = r.replyRoute ? deps.mailbox?.() : null;
    if (mail && r.replyRoute && replies) {
      try {
        queued = await replies.queue(r.replyRoute, { reportId, status: r.status, to: r.reporterEmail, subject: mail.subject, text: mail.text });
      } catch (err) {
        deps.log.warn({ reportId, err: { name: (err as Error).name, message: (err as Error).message } }, 'hotline feedback could not be queued for its mailbox');
      }
    }
    if (mail && !queued && deps.mailer && (await deps.mailer.send(r.reporterEmail, mail.subject, mail.text))) await feedbackSent(reportId, r.status, 'mailer');
    // Once the report is closed the address has served its purpose: it is erased (the way back with it;
    // a queued mailbox reply carries the address sealed in its job).
    if (r.status === 'closed') await db.update(hotlineReports).set({ reporterEmail: null, replyRoute: null }).where(eq(hotlineReports.id, reportId));
  }

  async function create(input: IntakeInput, origin: { source: HotlineSource; conversationId?: string; staffId?: string; replyRoute?: MailboxRoute }): Promise<HotlineReportCreated & { id: string }> {
    // The same address twice in one report is one URL.
    const seen = new Set<string>();
    const urls: { url: string; normalized: string; host: string }[] = [];
    for (const raw of input.urls) {
      const c = checkReportedUrl(raw);
      if (!c.ok) throw new AppError('invalid_payload', 'Invalid URL', { fields: [{ path: 'urls', message: c.reason }] });
      const normalized = normalizeUrl(c.url);
      if (seen.has(normalized)) continue;
      seen.add(normalized);
      urls.push({ url: raw.trim(), normalized, host: hostOf(c.url) });
    }
    const pickupCode = origin.source === 'counsellor' ? null : `${randomString(4)}-${randomString(4)}-${randomString(4)}`;
    const actor: Actor = origin.staffId ? { type: 'staff', id: origin.staffId } : { type: 'visitor', id: null };
    for (let attempt = 0; ; attempt++) {
      const reference = `HR-${randomString(6)}`;
      try {
        const id = await db.transaction(async (tx) => {
          const [r] = await tx
            .insert(hotlineReports)
            .values({
              reference,
              pickupHash: pickupCode ? pickupHash(pickupCode) : null,
              source: origin.source,
              contentType: input.contentType ?? null,
              whereFound: input.whereFound || null,
              description: input.description || null,
              language: input.language ?? null,
              reporterEmail: input.email || null,
              replyRoute: input.email && origin.replyRoute ? origin.replyRoute : null,
              conversationId: origin.conversationId ?? null,
              createdByStaffId: origin.staffId ?? null,
            })
            .returning();
          const report = r!;
          let known = 0;
          for (const [i, u] of urls.entries()) {
            // An earlier assessment of the same key is shown to the analyst with its age, never taken over
            // here: the content at an address changes (workflow.applyEarlier, when an analyst confirms).
            if (await earlierAssessment(tx, { normalizedUrl: u.normalized, reportId: report.id })) known++;
            await tx.insert(hotlineUrls).values({ reportId: report.id, position: i, url: u.url, normalizedUrl: u.normalized, host: u.host });
          }
          await tx.insert(hotlineHistory).values({ reportId: report.id, fromStatus: null, toStatus: 'new', actorType: actor.type, actorId: actor.id, note: origin.source });
          await deps.audit.record(
            { actorType: actor.type, actorId: actor.id, action: 'hotline.report.create', targetType: 'hotline_report', targetId: report.id, meta: { source: origin.source, urls: urls.length, known, ...(origin.conversationId ? { conversationId: origin.conversationId } : {}) } },
            tx,
          );
          return report.id;
        });
        return { id, reference, pickupCode: pickupCode ?? '' };
      } catch (err) {
        if ((err as { code?: string }).code === '23505' && attempt < 5) continue;
        throw err;
      }
    }
  }

  const detailFor = async (id: string, v: Viewer): Promise<HotlineReportDetail> => loadDetail(db, await getRow(id), v.role === 'analyst', await deps.routing(), deps.claims);
  const claims = createClaims(db, { audit: deps.audit, ctx: deps.claims, getRow, isAnalyst: deps.claims.isAnalyst, detail: detailFor });
  const workflow = createWorkflow(db, { audit: deps.audit, transition, getRow, feedback, routing: deps.routing, requireClaim: claims.requireClaim, detail: detailFor });

  return {
    ...workflow,
    claim: claims.claim,
    release: claims.release,
    transition,
    create,
    /** The e-mail channel's word that a mailbox reply went out. */
    feedbackSent: (reportId: string, status: HotlineStatus) => feedbackSent(reportId, status, 'mailbox'),

    list: (q: Partial<HotlineListQuery> & { limit: number }): Promise<HotlineReportSummary[]> => listReports(db, q, deps.claims),

    /** A staff read: always audited; the reporter's contact only for analysts. */
    async read(id: string, viewer: Viewer): Promise<HotlineReportDetail> {
      const r = await getRow(id);
      await deps.audit.record({ actorType: 'staff', actorId: viewer.id, action: 'hotline.report.read', targetType: 'hotline_report', targetId: id, meta: { role: viewer.role } });
      return loadDetail(db, r, viewer.role === 'analyst', await deps.routing(), deps.claims);
    },

    async setStatus(id: string, viewer: Viewer, to: 'in_assessment' | 'closed'): Promise<HotlineReportDetail> {
      const extra = to === 'closed' ? { closedAt: new Date() } : {};
      await db.transaction((tx) => transition(tx, id, to, { type: 'staff', id: viewer.id }, null, extra));
      if (to === 'closed') await feedback(id);
      return detailFor(id, viewer);
    },

    /** Anonymous status check; the same answer for a wrong code and an unknown reference. */
    async publicStatus(reference: string, pickupCode: string): Promise<HotlineStatusView> {
      const [r] = await db.select().from(hotlineReports).where(eq(hotlineReports.reference, reference));
      // An unknown reference costs the same hashing as a wrong code.
      const stored = r?.pickupHash ?? pickupHash('-');
      if (!pickupMatches(stored, pickupCode) || !r?.pickupHash) throw new AppError('not_found', 'Unknown reference or pick-up code');
      if (!deps.codes.isKeyed(r.pickupHash)) {
        await db.update(hotlineReports).set({ pickupHash: pickupHash(pickupCode) }).where(and(eq(hotlineReports.id, r.id), eq(hotlineReports.pickupHash, r.pickupHash)));
      }
      const actions = await db.select().from(hotlineActions).where(and(eq(hotlineActions.reportId, r.id), eq(hotlineActions.state, 'done')));
      return {
        reference: r.reference,
        status: r.status,
        actions: [...new Set(actions.map((a) => a.kind))],
        contentRemoved: r.removedAt !== null,
        updatedAt: r.updatedAt.toISOString(),
      };
    },
  };
}
export type HotlineService = ReturnType<typeof createHotlineService>;
