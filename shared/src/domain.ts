// Vocabulary of the field (see DOMAIN.md). Values are stable wire identifiers; labels live in the UIs.

export const LANGUAGES = ['bg', 'sr-Cyrl', 'sr-Latn', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export const AGE_GROUPS = ['under-5', '5-11', '12-18', 'adult'] as const;
export type AgeGroup = (typeof AGE_GROUPS)[number];

export const TOPICS = ['online-abuse', 'relationships', 'parents', 'other'] as const;
export type Topic = (typeof TOPICS)[number];

export const PRIORITIES = ['urgent', 'high', 'normal'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const CONVERSATION_STATES = ['waiting', 'offered', 'active', 'wrapup', 'closed', 'abandoned'] as const;
export type ConversationState = (typeof CONVERSATION_STATES)[number];

export const STAFF_ROLES = ['counsellor', 'supervisor', 'analyst', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export const AGENT_STATUSES = ['available', 'away', 'offline'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

export const CHANNELS = ['chat', 'phone', 'email', 'social-media', 'online-form'] as const;
export type Channel = (typeof CHANNELS)[number];

/** The channel a conversation came by (its adapter, docs/channels.md); `Channel` above is the statistics' view. */
export const CONVERSATION_CHANNELS = ['chat', 'email', 'messenger', 'instagram', 'viber', 'telegram', 'whatsapp', 'phone', 'api'] as const;
export type ConversationChannel = (typeof CONVERSATION_CHANNELS)[number];

/** How each conversation channel is counted in the Insafe statistics and the case record. */
export const CASE_CHANNEL_OF: Record<ConversationChannel, Channel> = {
  chat: 'chat',
  email: 'email',
  messenger: 'social-media',
  instagram: 'social-media',
  viber: 'social-media',
  telegram: 'social-media',
  whatsapp: 'social-media',
  phone: 'phone',
  api: 'online-form',
};

/** A staff message's way out on a channel other than web chat (the outbox, docs/channels.md). */
export const DELIVERY_STATES = ['queued', 'sent', 'delivered', 'read', 'failed'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];
/**
 * Why a delivery failed for good, when the channel said so (the console translates it and says what can
 * be done): past Meta's 24-hour reply window; the person left (blocked the bot, unsubscribed, no
 * known address); the app refused the message as it is.
 */
export const DELIVERY_FAILURE_REASONS = ['outside_window', 'recipient_gone', 'rejected'] as const;
export type DeliveryFailureReason = (typeof DELIVERY_FAILURE_REASONS)[number];

export const CONTACT_TYPES = ['child', 'parent', 'teacher-professional', 'other'] as const;
export type ContactType = (typeof CONTACT_TYPES)[number];

export const GENDERS = ['girl-woman', 'boy-man', 'other', 'unknown'] as const;
export type Gender = (typeof GENDERS)[number];

export const PLATFORMS = ['social-media', 'gaming', 'messaging', 'video', 'other'] as const;
export type Platform = (typeof PLATFORMS)[number];

export const RISK_LEVELS = ['none', 'low', 'medium', 'high'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export const OUTCOMES = ['advice-given', 'referred', 'escalated-to-hotline', 'follow-up-planned', 'no-further-action', 'silent-or-test'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Insafe helpline categories, as used by the Safer Internet Centres. */
export const INSAFE_CATEGORIES = [
  'cyberbullying',
  'love-relationships-sexuality',
  'sexting',
  'sextortion',
  'grooming',
  'sexual-harassment',
  'privacy',
  'online-reputation',
  'hate-speech',
  'potentially-harmful-content',
  'e-crime',
  'excessive-use',
  'technical-settings',
  'media-literacy',
  'suicide',
  'self-harm',
  'pornography',
  'fake-news',
  'radicalisation',
  'other',
] as const;
export type InsafeCategory = (typeof INSAFE_CATEGORIES)[number];

/** Child Helpline International top-level categories (international reporting view). */
export const CHI_CATEGORIES = [
  'missing-children',
  'violence',
  'mental-health',
  'physical-health',
  'accessibility',
  'discrimination-exclusion',
  'family-relationships',
  'peer-relationships',
  'education-occupation',
  'sexuality',
  'non-counselling',
] as const;
export type ChiCategory = (typeof CHI_CATEGORIES)[number];

/** One tagging step yields both views: each Insafe category maps to its CHI category. */
export const INSAFE_TO_CHI: Readonly<Record<InsafeCategory, ChiCategory>> = {
  cyberbullying: 'violence',
  'love-relationships-sexuality': 'sexuality',
  sexting: 'sexuality',
  sextortion: 'violence',
  grooming: 'violence',
  'sexual-harassment': 'violence',
  privacy: 'peer-relationships',
  'online-reputation': 'peer-relationships',
  'hate-speech': 'discrimination-exclusion',
  'potentially-harmful-content': 'mental-health',
  'e-crime': 'non-counselling',
  'excessive-use': 'mental-health',
  'technical-settings': 'non-counselling',
  'media-literacy': 'education-occupation',
  suicide: 'mental-health',
  'self-harm': 'mental-health',
  pornography: 'sexuality',
  'fake-news': 'education-occupation',
  radicalisation: 'violence',
  other: 'non-counselling',
};

export function chiCategoriesFor(categories: readonly InsafeCategory[]): ChiCategory[] {
  return [...new Set(categories.map((c) => INSAFE_TO_CHI[c]))];
}

/** Limits shared by clients and server so a client can refuse before sending. */
export const LIMITS = {
  messageMaxChars: 4000,
  clientMsgIdMaxChars: 64,
  summaryMaxChars: 8000,
  noteMaxChars: 4000,
} as const;
