// Trend alerts: written by analysts and admins, approved by a second person (never the author: the
// four-eyes rule of the hotline's police referrals), published to the public feeds until they expire
// or are withdrawn. Every change is audited in the same transaction as the change.
import { and, desc, eq, gt } from 'drizzle-orm';
import { LANGUAGES, toSerbianLatin, type AlertInput, type AlertText, type Language, type PublicAlert, type PublicAlertFeed, type StaffAlert, type StaffRole } from '@helpline/shared';
import type { Db, DbOrTx } from '../db/client.js';
import type { AuditService } from '../audit/service.js';
import type { Clock } from '../infra/clock.js';
import { AppError } from '../http/errors.js';
import { alerts } from './tables.js';

type Row = typeof alerts.$inferSelect;
export interface AlertViewer {
  id: string;
  role: StaffRole;
}

export interface AlertDeps {
  audit: AuditService;
  clock: Clock;
  staffNames(ids: string[]): Promise<Map<string, string>>;
  /** The centre's languages and its default one (the widget settings, filled by the centre profile). */
  centreLanguages(): Promise<{ languages: Language[]; defaultLanguage: Language }>;
  /** After an approval committed (Web Push queues it); must not throw or wait. */
  published?(alertId: string): void;
}

export const ALERT_ROLES: readonly StaffRole[] = ['analyst', 'admin'];
/** An alert runs for at most a year: a trend older than that is no longer new. */
const MAX_RUN_MS = 366 * 24 * 3600 * 1000;

const isLanguage = (v: string): v is Language => (LANGUAGES as readonly string[]).includes(v);

/** Languages an analyst must write before submitting: the centre's, with Serbian Latin generated from Cyrillic. */
export function requiredLanguages(languages: Language[]): Language[] {
  const out = new Set<Language>(languages.map((l) => (l === 'sr-Latn' ? 'sr-Cyrl' : l)));
  return [...out];
}

/** The texts in `lang`, generating Serbian Latin from Cyrillic, or null when the alert has none in it. */
export function textIn(texts: Partial<Record<Language, AlertText>>, lang: Language): AlertText | null {
  const own = texts[lang];
  if (own) return own;
  const cyr = lang === 'sr-Latn' ? texts['sr-Cyrl'] : undefined;
  return cyr ? { title: toSerbianLatin(cyr.title), text: toSerbianLatin(cyr.text), advice: toSerbianLatin(cyr.advice) } : null;
}

export function createAlertService(db: Db, deps: AlertDeps) {
  const now = () => new Date(deps.clock.now());
  const expired = (r: Row) => r.expiresAt.getTime() <= deps.clock.now();

  async function toStaff(rows: Row[]): Promise<StaffAlert[]> {
    const ids = [...new Set(rows.flatMap((r) => [r.authorId, r.approvedBy, r.withdrawnBy]).filter((x): x is string => !!x))];
    const names = await deps.staffNames(ids);
    const who = (id: string | null) => (id ? { id, name: names.get(id) ?? '' } : null);
    return rows.map((r) => ({
      id: r.id,
      state: r.state === 'published' && expired(r) ? 'expired' : r.state,
      severity: r.severity,
      expiresAt: r.expiresAt.toISOString(),
      texts: r.texts,
      author: who(r.authorId)!,
      approvedBy: who(r.approvedBy),
      withdrawnBy: who(r.withdrawnBy),
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
      submittedAt: r.submittedAt?.toISOString() ?? null,
      publishedAt: r.publishedAt?.toISOString() ?? null,
      withdrawnAt: r.withdrawnAt?.toISOString() ?? null,
    }));
  }
  const one = async (r: Row) => (await toStaff([r]))[0]!;

  function allow(v: AlertViewer): void {
    if (!ALERT_ROLES.includes(v.role)) throw new AppError('forbidden', 'Only analysts and admins work on alerts');
  }

  function checkExpiry(expiresAt: Date): void {
    const t = expiresAt.getTime();
    if (t <= deps.clock.now()) throw new AppError('invalid_payload', 'The expiry must be in the future', { fields: [{ path: 'expiresAt', message: 'in the past' }] });
    if (t > deps.clock.now() + MAX_RUN_MS) throw new AppError('invalid_payload', 'An alert runs for at most a year', { fields: [{ path: 'expiresAt', message: 'more than a year ahead' }] });
  }

  /** Locks the row for the change; the caller's transaction records the audit event beside it. */
  async function locked(tx: DbOrTx, id: string): Promise<Row> {
    const [r] = await tx.select().from(alerts).where(eq(alerts.id, id)).for('update');
    if (!r) throw new AppError('not_found', 'No such alert');
    return r;
  }

  async function change(v: AlertViewer, id: string, action: string, step: (r: Row, tx: DbOrTx) => Promise<Partial<Row>>, meta: Record<string, string | number | boolean | null> = {}): Promise<StaffAlert> {
    allow(v);
    const row = await db.transaction(async (tx) => {
      const r = await locked(tx, id);
      const set = await step(r, tx);
      const [u] = await tx
        .update(alerts)
        .set({ ...set, version: r.version + 1, updatedAt: now() })
        .where(and(eq(alerts.id, id), eq(alerts.version, r.version)))
        .returning();
      await deps.audit.record({ actorType: 'staff', actorId: v.id, action, targetType: 'alert', targetId: id, meta: { from: r.state, to: u!.state, ...meta } }, tx);
      return u!;
    });
    return one(row);
  }

  const texts = (input: AlertInput): Partial<Record<Language, AlertText>> => {
    const out: Partial<Record<Language, AlertText>> = {};
    for (const [k, t] of Object.entries(input.texts)) if (isLanguage(k) && t) out[k] = t;
    return out;
  };

  return {
    async list(v: AlertViewer): Promise<StaffAlert[]> {
      allow(v);
      return toStaff(await db.select().from(alerts).orderBy(desc(alerts.createdAt)).limit(500));
    },

    async get(v: AlertViewer, id: string): Promise<StaffAlert> {
      allow(v);
      const [r] = await db.select().from(alerts).where(eq(alerts.id, id));
      if (!r) throw new AppError('not_found', 'No such alert');
      return one(r);
    },

    async create(v: AlertViewer, input: AlertInput): Promise<StaffAlert> {
      allow(v);
      const expiresAt = new Date(input.expiresAt);
      checkExpiry(expiresAt);
      const row = await db.transaction(async (tx) => {
        const [r] = await tx.insert(alerts).values({ severity: input.severity, expiresAt, texts: texts(input), authorId: v.id, createdAt: now(), updatedAt: now() }).returning();
        await deps.audit.record({ actorType: 'staff', actorId: v.id, action: 'alert.create', targetType: 'alert', targetId: r!.id, meta: { severity: input.severity, languages: Object.keys(r!.texts).join(',') } }, tx);
        return r!;
      });
      return one(row);
    },

    /** Only the author edits, and only a draft: what the approver saw is what goes out. */
    update(v: AlertViewer, id: string, input: AlertInput): Promise<StaffAlert> {
      const expiresAt = new Date(input.expiresAt);
      checkExpiry(expiresAt);
      return change(v, id, 'alert.update', async (r) => {
        if (r.authorId !== v.id) throw new AppError('forbidden', 'Only the author edits a draft');
        if (r.state !== 'draft') throw new AppError('invalid_state', `The alert is ${r.state}: only a draft is edited`);
        return { severity: input.severity, expiresAt, texts: texts(input) };
      });
    },

    async submit(v: AlertViewer, id: string): Promise<StaffAlert> {
      const { languages } = await deps.centreLanguages();
      return change(v, id, 'alert.submit', async (r) => {
        if (r.authorId !== v.id) throw new AppError('forbidden', 'Only the author submits a draft');
        if (r.state !== 'draft') throw new AppError('invalid_state', `The alert is ${r.state}`);
        checkExpiry(r.expiresAt);
        const missing = requiredLanguages(languages).filter((l) => !r.texts[l]);
        if (missing.length) throw new AppError('invalid_payload', 'Write the alert in every language of the centre', { fields: missing.map((l) => ({ path: `texts.${l}`, message: 'missing' })) });
        return { state: 'awaiting_approval', submittedAt: now() };
      });
    },

    /** Four eyes: an analyst or admin other than the author publishes it. */
    async approve(v: AlertViewer, id: string): Promise<StaffAlert> {
      const published = await change(v, id, 'alert.approve', async (r) => {
        if (r.authorId === v.id) throw new AppError('forbidden', 'A second person must approve: you wrote this alert');
        if (r.state !== 'awaiting_approval') throw new AppError('invalid_state', `The alert is ${r.state}`);
        if (expired(r)) throw new AppError('invalid_state', 'The alert has expired meanwhile');
        return { state: 'published', approvedBy: v.id, publishedAt: now() };
      });
      deps.published?.(published.id);
      return published;
    },

    /** The second person sends a submitted alert back to its author for changes. */
    sendBack(v: AlertViewer, id: string): Promise<StaffAlert> {
      return change(v, id, 'alert.send_back', async (r) => {
        if (r.state !== 'awaiting_approval') throw new AppError('invalid_state', `The alert is ${r.state}`);
        if (r.authorId === v.id) throw new AppError('forbidden', 'A second person reviews this alert');
        return { state: 'draft', submittedAt: null };
      });
    },

    /** Anyone of the alert roles withdraws a submitted or published alert (a mistake must be stoppable at once). */
    withdraw(v: AlertViewer, id: string): Promise<StaffAlert> {
      return change(v, id, 'alert.withdraw', async (r) => {
        if (r.state !== 'awaiting_approval' && r.state !== 'published') throw new AppError('invalid_state', `The alert is ${r.state}`);
        return { state: 'withdrawn', withdrawnBy: v.id, withdrawnAt: now() };
      });
    },

    /** Published, unexpired alerts in one language (or the centre's default where one lacks it), newest first. */
    async publicFeed(lang: Language | null): Promise<PublicAlertFeed & { nextExpiry: Date | null }> {
      const { languages, defaultLanguage } = await deps.centreLanguages();
      const language = lang && languages.includes(lang) ? lang : defaultLanguage;
      const rows = await db
        .select()
        .from(alerts)
        .where(and(eq(alerts.state, 'published'), gt(alerts.expiresAt, now())))
        .orderBy(desc(alerts.publishedAt), desc(alerts.id))
        .limit(50);
      const out: PublicAlert[] = [];
      for (const r of rows) {
        const fallback = [language, defaultLanguage, ...LANGUAGES];
        const used = fallback.find((l) => textIn(r.texts, l));
        if (!used) continue;
        const t = textIn(r.texts, used)!;
        out.push({ id: r.id, severity: r.severity, language: used, title: t.title, text: t.text, advice: t.advice, publishedAt: r.publishedAt!.toISOString(), expiresAt: r.expiresAt.toISOString() });
      }
      const nextExpiry = rows.length ? new Date(Math.min(...rows.map((r) => r.expiresAt.getTime()))) : null;
      return { language, alerts: out, nextExpiry };
    },
  };
}
export type AlertService = ReturnType<typeof createAlertService>;
