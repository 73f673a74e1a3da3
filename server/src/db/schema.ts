// Every table, re-exported for drizzle (queries and drizzle-kit). Tables live with their feature.
export * from '../auth/tables.js';
export * from '../conversations/tables.js';
export * from '../notes/tables.js';
export * from '../routing/tables.js';
export * from '../cases/tables.js';
export * from '../audit/tables.js';
export * from '../settings/tables.js';
export * from '../hotline/tables.js';
export * from '../widget/tables.js';
export * from '../canned/tables.js';
export * from '../referrals/tables.js';
export * from '../channels/tables.js';
export * from '../channels/apps/tables.js';
export * from '../channels/email/tables.js';
export * from '../alerts/tables.js';
export * from '../voice/tables.js';
