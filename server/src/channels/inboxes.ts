// Inboxes: where contacts of a channel arrive. The API inbox's secret is shown once at creation and kept
// only sealed (channels/crypto.ts); no route ever returns it again.
import { randomBytes } from 'node:crypto';
import { desc, eq } from 'drizzle-orm';
import type { ConversationChannel, InboxView } from '@helpline/shared';
import type { Db } from '../db/client.js';
import { AppError } from '../http/errors.js';
import type { ChannelKeys } from './crypto.js';
import { inboxes } from './tables.js';

type InboxRow = typeof inboxes.$inferSelect;


export const toInboxView = (r: InboxRow): InboxView => ({
  id: r.id,
  channel: r.channel,
  name: r.name,
  enabled: r.enabled,
  webhookUrl: r.config.webhookUrl ?? null,
  createdAt: r.createdAt.toISOString(),
});

export interface OpenInbox extends InboxRow {
  secret: string;
}

export function createInboxes(db: Db, keys: ChannelKeys) {
  return {
    /** A messaging app's inbox brings its own secret (its tokens, as JSON) and public configuration. */
    async create(input: { channel: ConversationChannel; name: string; webhookUrl?: string | null; secret?: string; config?: Record<string, string> }): Promise<{ inbox: InboxView; secret: string }> {
      if (input.channel === 'chat') throw new AppError('invalid_payload', 'The web widget is built in');
      const secret = input.secret ?? randomBytes(32).toString('base64url');
      const config = { ...(input.config ?? {}), ...(input.webhookUrl ? { webhookUrl: input.webhookUrl } : {}) };
      const [row] = await db
        .insert(inboxes)
        .values({ channel: input.channel, name: input.name, config, secretSealed: keys.seal(secret) })
        .returning();
      return { inbox: toInboxView(row!), secret };
    },

    async list(): Promise<InboxView[]> {
      return (await db.select().from(inboxes).orderBy(desc(inboxes.createdAt))).map(toInboxView);
    },

    async update(id: string, patch: { name?: string; enabled?: boolean; webhookUrl?: string | null }): Promise<InboxView> {
      const [cur] = await db.select().from(inboxes).where(eq(inboxes.id, id));
      if (!cur) throw new AppError('not_found', 'No such inbox');
      const config = { ...cur.config };
      if (patch.webhookUrl !== undefined) {
        if (patch.webhookUrl) config.webhookUrl = patch.webhookUrl;
        else delete config.webhookUrl;
      }
      const [row] = await db
        .update(inboxes)
        .set({ ...(patch.name !== undefined ? { name: patch.name } : {}), ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}), config })
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
