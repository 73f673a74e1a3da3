// Inboxes: where contacts of a channel arrive. The API inbox's secret is shown once at creation and kept
// only sealed (channels/crypto.ts); no route ever returns it again.
import { randomBytes } from 'node:crypto';
import { desc, eq } from 'drizzle-orm';
import type { ConversationChannel, InboxView } from '@helpline/shared';
import type { Db } from '../db/client.js';
import { AppError } from '../http/errors.js';
import type { ChannelKeys } from './crypto.js';
import { inboxes } from './tables.js';
import { settingsOf } from './email/settings.js';

type InboxRow = typeof inboxes.$inferSelect;


export const toInboxView = (r: InboxRow): InboxView => ({
  id: r.id,
  channel: r.channel,
  name: r.name,
  enabled: r.enabled,
  webhookUrl: r.config.webhookUrl ?? null,
  createdAt: r.createdAt.toISOString(),
  email: r.channel === 'email' ? { ...settingsOf(r.config), receiveError: null, receiveErrorAt: null, lastReceivedAt: null } : null,
});

export interface OpenInbox extends InboxRow {
  secret: string;
}

export function createInboxes(db: Db, keys: ChannelKeys) {
  return {
    /** `secret` given (an e-mail inbox's passwords): sealed, and not shown back (null in the answer). */
    async create(input: { channel: ConversationChannel; name: string; webhookUrl?: string | null; config?: Record<string, string>; secret?: string }): Promise<{ inbox: InboxView; secret: string | null }> {
      if (input.channel === 'chat') throw new AppError('invalid_payload', 'The web widget is built in');
      const secret = input.secret ?? randomBytes(32).toString('base64url');
      const [row] = await db
        .insert(inboxes)
        .values({ channel: input.channel, name: input.name, config: { ...(input.config ?? {}), ...(input.webhookUrl ? { webhookUrl: input.webhookUrl } : {}) }, secretSealed: keys.seal(secret) })
        .returning();
      return { inbox: toInboxView(row!), secret: input.secret === undefined ? secret : null };
    },

    async list(): Promise<InboxView[]> {
      return (await db.select().from(inboxes).orderBy(desc(inboxes.createdAt))).map(toInboxView);
    },

    async update(id: string, patch: { name?: string; enabled?: boolean; webhookUrl?: string | null; config?: Record<string, string>; secret?: string }): Promise<InboxView> {
      const [cur] = await db.select().from(inboxes).where(eq(inboxes.id, id));
      if (!cur) throw new AppError('not_found', 'No such inbox');
      const config = { ...cur.config, ...(patch.config ?? {}) };
      if (patch.webhookUrl !== undefined) {
        if (patch.webhookUrl) config.webhookUrl = patch.webhookUrl;
        else delete config.webhookUrl;
      }
      const [row] = await db
        .update(inboxes)
        .set({ ...(patch.name !== undefined ? { name: patch.name } : {}), ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}), ...(patch.secret !== undefined ? { secretSealed: keys.seal(patch.secret) } : {}), config })
        .where(eq(inboxes.id, id))
        .returning();
      return toInboxView(row!);
    },

    /** The inbox with its secret unsealed, for the adapter that verifies or signs with it. */
    async open(id: string): Promise<OpenInbox | null> {
      if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
      const [row] = await db.select().from(inboxes).where(eq(inboxes.id, id));
      return row ? { ...row, secret: keys.open(row.secretSealed) } : null;
    },
  };
}
export type Inboxes = ReturnType<typeof createInboxes>;
