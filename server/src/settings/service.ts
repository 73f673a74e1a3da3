// Centre settings: defaults here, admin overrides in the `settings` table. Read often (every widget
// handshake), so cached for a short time on each instance; a change is visible everywhere within CACHE_MS.
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { settings } from './tables.js';
import type { CentreProfileId, HotlineRouting } from '@helpline/shared';
import type { ConversationChannel } from '@helpline/shared';
import { DEFAULT_RISK_WORDS, type RiskWordLists } from '../routing/risk.js';

export interface WidgetSettings {
  centreName: string;
  primaryColor: string;
  phoneLine: string;
  email: string;
  hoursText: string;
  /** Neutral site for quick exit. */
  exitUrl: string;
  languages: string[];
  defaultLanguage: string;
  /** Extra origins (beyond ALLOWED_ORIGINS and the platform's own) allowed to embed the widget. */
  allowedOrigins: string[];
}

export interface BusinessHours {
  /** IANA time zone of the centre. */
  timeZone: string;
  /** 0 = Sunday ... 6 = Saturday; each day a list of [from, to] in HH:MM; empty = closed. */
  weekly: Record<string, [string, string][]>;
  /** ISO dates (YYYY-MM-DD) when the service is closed. */
  holidays: string[];
  /** When false, hours are not enforced (24/7 service). */
  enforced: boolean;
}

/** Supervision board: what "answered in time" means and when a wait raises an alert. */
export interface ServiceLevelSettings {
  targetSeconds: number;
  /** An urgent conversation waiting longer than this alerts supervisors. */
  urgentAlertSeconds: number;
  /** Any conversation waiting longer than this alerts supervisors. */
  longWaitAlertSeconds: number;
}

/** How long records are kept before deletion or anonymisation, in days (server/src/retention/ purges by these). */
export interface RetentionSettings {
  transcriptDays: number;
  caseRecordDays: number;
  hotlineReportDays: number;
  auditDays: number;
}

/** Switchboarding under load: the widget offers only "leave a message" while set. */
export interface SurgeSettings {
  leaveMessageOnly: boolean;
}

/** The centre profile last applied (server/src/profiles/); null on installations that never chose one. */
export interface ProfileSetting {
  id: CentreProfileId | null;
  appliedAt: string | null;
  /**
   * The years whose public holidays this profile has added to the business hours (this year and next on
   * applying, then each new year as it comes: profiles/service.ts rollOver). A year listed here is never
   * added again, so a holiday an admin deleted does not come back.
   */
  holidayYears?: number[];
  // No default: a setting saved before years were recorded has none (rollOver counts its applied years).
}
/**
 * Each channel's weight on a counsellor's capacity, in hundredths of a slot (a live chat or a call 100,
 * a messaging app 50, an e-mail thread 25). A conversation takes its channel's weight when it enters
 * the queue and keeps it; routing's capacity check is `load + weight <= capacity * 100`, and a phone
 * call is exclusive whatever its weight (docs/channels.md, "Weights and service levels").
 */
export type ChannelWeights = Record<ConversationChannel, number>;
/** Each channel's service-level target: seconds to a first answer (phone in seconds, e-mail in hours). */
export type ChannelTargets = Record<ConversationChannel, number>;

export interface SettingsShape {
  widget: WidgetSettings;
  hours: BusinessHours;
  riskWords: RiskWordLists;
  serviceLevel: ServiceLevelSettings;
  retention: RetentionSettings;
  surge: SurgeSettings;
  profile: ProfileSetting;
  hotlineRouting: HotlineRouting;
  channelWeights: ChannelWeights;
  channelTargets: ChannelTargets;
}

export const DEFAULT_SETTINGS: SettingsShape = {
  widget: {
    centreName: 'Safer Internet Centre',
    primaryColor: '#1f5fa8',
    phoneLine: '124 123',
    email: 'help@example.org',
    hoursText: 'Mon–Fri 08:00–20:00',
    exitUrl: 'https://www.wikipedia.org/',
    languages: ['bg', 'sr-Cyrl', 'sr-Latn', 'en'],
    defaultLanguage: 'bg',
    allowedOrigins: [],
  },
  hours: {
    timeZone: 'Europe/Sofia',
    weekly: Object.fromEntries([0, 1, 2, 3, 4, 5, 6].map((d) => [String(d), [['00:00', '24:00']]])) as Record<string, [string, string][]>,
    holidays: [],
    enforced: false,
  },
  riskWords: DEFAULT_RISK_WORDS,
  serviceLevel: { targetSeconds: 60, urgentAlertSeconds: 30, longWaitAlertSeconds: 300 },
  retention: { transcriptDays: 90, caseRecordDays: 1825, hotlineReportDays: 365, auditDays: 730 },
  surge: { leaveMessageOnly: false },
  profile: { id: null, appliedAt: null },
  // Bulgaria's, like the other defaults above, until a profile is applied.
  hotlineRouting: { countryCode: 'BG', policeUnit: 'Cybercrime Directorate (GDBOP), Ministry of Interior', nationalMemberCode: 'bg-safenet' },
  channelWeights: { chat: 100, phone: 100, email: 25, messenger: 50, instagram: 50, viber: 50, telegram: 50, whatsapp: 50, api: 50 },
  channelTargets: { chat: 60, phone: 20, email: 86_400, messenger: 3_600, instagram: 3_600, viber: 3_600, telegram: 3_600, whatsapp: 3_600, api: 3_600 },
};

const CACHE_MS = 2_000;

export function createSettingsService(db: Db) {
  const cache = new Map<string, { at: number; value: unknown }>();
  // Bumped by every write: a read that began before a write must not cache what it read, or this
  // instance would serve the old value for CACHE_MS after its own change.
  const generation = new Map<string, number>();
  async function get<K extends keyof SettingsShape>(key: K): Promise<SettingsShape[K]> {
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.value as SettingsShape[K];
    const gen = generation.get(key) ?? 0;
    const [row] = await db.select().from(settings).where(eq(settings.key, key));
    const value = { ...DEFAULT_SETTINGS[key], ...((row?.value as object) ?? {}) } as SettingsShape[K];
    if ((generation.get(key) ?? 0) === gen) cache.set(key, { at: Date.now(), value });
    return value;
  }
  return {
    get,
    async set<K extends keyof SettingsShape>(key: K, value: Partial<SettingsShape[K]>): Promise<SettingsShape[K]> {
      const merged = { ...(await get(key)), ...value } as SettingsShape[K];
      await db
        .insert(settings)
        .values({ key, value: merged })
        .onConflictDoUpdate({ target: settings.key, set: { value: merged, updatedAt: new Date() } });
      generation.set(key, (generation.get(key) ?? 0) + 1);
      cache.delete(key);
      return merged;
    },
    /** Whether the service is open now by the centre's weekly hours and holidays. */
    async isWithinHours(now = new Date()): Promise<boolean> {
      const h = await get('hours');
      if (!h.enforced) return true;
      const parts = new Intl.DateTimeFormat('en-CA', { timeZone: h.timeZone, year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(now);
      const p = (t: string) => parts.find((x) => x.type === t)?.value ?? '';
      const date = `${p('year')}-${p('month')}-${p('day')}`;
      if (h.holidays.includes(date)) return false;
      const dow = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(p('weekday'));
      const hm = `${p('hour')}:${p('minute')}`;
      return (h.weekly[String(dow)] ?? []).some(([from, to]) => hm >= from && hm < to);
    },
    /** Forget cached values (tests that write settings behind the service's back). */
    clearCache: () => cache.clear(),
  };
}
export type SettingsService = ReturnType<typeof createSettingsService>;
