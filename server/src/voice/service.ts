// The phone line (docs/voice.md). A call from the centre's SIP trunk waits at the SIP proxy (Kamailio),
// suspended, while it is a conversation of channel phone in the one queue, routed like any other. When
// a counsellor accepts it, this service tells the proxy to ring her softphone (POST /voice/connect);
// the proxy tells this service when the call was answered and when either side hung up. Every step
// is a compare-and-set on the call's state, so a retransmission or a second instance changes nothing.
import { createHmac } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type { FastifyBaseLogger } from 'fastify';
import { matchLanguageTag, type Language, type SoftphoneConfig, type VoiceCallView } from '@helpline/shared';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { Clock } from '../infra/clock.js';
import type { Jobs } from '../infra/jobs.js';
import { AppError, loggableError } from '../http/errors.js';
import type { ConversationRow, ConversationService } from '../conversations/service.js';
import type { RoutingService } from '../routing/service.js';
import type { AuditService } from '../audit/service.js';
import type { ChannelKeys } from '../channels/crypto.js';
import type { ChannelService } from '../channels/service.js';
import { voiceCalls, type VoiceCallState } from './tables.js';
import { createRtpengine, type Rtpengine } from './rtpengine.js';

type CallRow = typeof voiceCalls.$inferSelect;

export interface VoiceDeps {
  db: Db;
  config: Config;
  keys: ChannelKeys;
  channels: ChannelService;
  conversations: ConversationService;
  routing: RoutingService;
  audit: AuditService;
  defaultLanguage: () => Promise<Language>;
  jobs: Jobs;
  /** Routing's place in the queue of a waiting conversation. */
  queueInfo: (c: ConversationRow) => Promise<{ position: number | null }>;
  clock: Clock;
  log: FastifyBaseLogger;
  /** The proxy's control endpoint is asked with this (tests give a stand-in's). */
  fetch?: typeof fetch;
}

/** How long a softphone's SIP credentials last (the proxy's auth_ephemeral checks the expiry). */
const CREDENTIAL_TTL_S = 12 * 3600;
/** The SIP user of a staff member's softphone. */
export const sipUser = (staffId: string) => `staff-${staffId}`;

/** The language a recording is spoken in: Serbian is one spoken language in both scripts. */
export const spokenLanguage = (l: Language): string => (l === 'sr-Cyrl' || l === 'sr-Latn' ? 'sr' : l);

/** `124123=bg,116111=sr-Cyrl`: the language of each number the centre answers. */
export function numberLanguages(list: readonly string[]): Map<string, Language> {
  const m = new Map<string, Language>();
  for (const item of list) {
    const [number, tag] = item.split('=').map((s) => s.trim());
    const lang = matchLanguageTag(tag ?? null);
    if (number && lang) m.set(number.replace(/[^0-9+*#]/g, ''), lang);
  }
  return m;
}

export function createVoiceService(d: VoiceDeps) {
  const { db, config } = d;
  const doFetch = d.fetch ?? fetch;
  const enabled = !!(config.VOICE_CONTROL_URL && config.VOICE_TOKEN && config.VOICE_SIP_SECRET && config.VOICE_WS_URL);
  const languages = numberLanguages(config.VOICE_NUMBERS ?? []);
  let lineInbox: string | null = null;
  // The waiting caller's media: the queue's early media and its messages, when the centre has both.
  const media: Rtpengine | null = enabled && config.VOICE_RTPENGINE && config.VOICE_PROMPTS_DIR ? createRtpengine(config.VOICE_RTPENGINE) : null;

  function requireEnabled(): void {
    if (!enabled) throw new AppError('not_found', 'This centre has no phone line');
  }

  /** The phone line's inbox (its contacts' namespace): made on the first call, the oldest one if two instances raced. */
  async function inboxId(): Promise<string> {
    if (lineInbox) return lineInbox;
    const find = async () => (await d.channels.inboxes.list()).filter((i) => i.channel === 'phone').sort((a, b) => a.createdAt.localeCompare(b.createdAt))[0];
    let inbox = await find();
    if (!inbox) {
      await d.channels.inboxes.create({ channel: 'phone', name: 'Phone line' });
      inbox = await find();
    }
    lineInbox = inbox!.id;
    return lineInbox;
  }

  async function byCallId(callId: string): Promise<CallRow | null> {
    const [row] = await db.select().from(voiceCalls).where(eq(voiceCalls.callId, callId));
    return row ?? null;
  }

  async function move(callId: string, from: VoiceCallState[], set: PgUpdateSetSource<typeof voiceCalls>): Promise<CallRow | null> {
    const [row] = await db
      .update(voiceCalls)
      .set(set)
      .where(and(eq(voiceCalls.callId, callId), inArray(voiceCalls.state, from)))
      .returning();
    return row ?? null;
  }

  /** Ask the proxy to act on a waiting call. true: done; false: the call is gone (the caller hung up). */
  async function control(action: 'connect' | 'refuse', call: CallRow, headers: Record<string, string> = {}): Promise<boolean> {
    return (await ask(action, call, headers)) !== null;
  }

  /** The proxy's answer to an action (its body), or null when the call is gone or the proxy could not be reached. */
  async function ask(action: 'connect' | 'refuse', call: CallRow, headers: Record<string, string> = {}, attempts = 3): Promise<string | null> {
    let lastError: unknown = null;
    for (let attempt = 0; attempt < attempts; attempt++) {
      try {
        const res = await doFetch(new URL(`/voice/${action}`, config.VOICE_CONTROL_URL).toString(), {
          method: 'POST',
          headers: { 'x-helpline-token': config.VOICE_TOKEN!, 'x-call-id': call.callId, ...headers },
          signal: AbortSignal.timeout(3000),
        });
        const body = await res.text();
        if (res.ok) return body;
        if (res.status === 404 || res.status === 409) return null;
        lastError = new Error(`the SIP proxy answered ${res.status}`);
      } catch (err) {
        lastError = err;
      }
      await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
    }
    d.log.warn({ err: loggableError(lastError), conversationId: call.conversationId }, `could not ${action} the call at the SIP proxy`);
    return null;
  }

  /**
   * The waiting caller's messages, each a recording of the centre's in the prompts folder beside the
   * media server (docs/voice.md): the welcome, then the place in the queue every VOICE_ANNOUNCE_EVERY_MS,
   * and once, after VOICE_ALTERNATIVES_AFTER_MS, the alternatives. One BullMQ job per message (its id
   * per call and step: any instance plays it, once); each stops as soon as the call is no longer waiting.
   */
  async function announce(data: { callId: string; step: number; alternatives: boolean }): Promise<void> {
    const call = await byCallId(data.callId);
    if (!media || !call?.fromTag || call.state !== 'waiting') return;
    const c = await d.conversations.get(call.conversationId);
    if (c.state !== 'waiting' && c.state !== 'offered') return;
    const spoken = spokenLanguage(c.language ?? (await d.defaultLanguage()));
    let prompt: string;
    let alternatives = data.alternatives;
    if (data.step === 0) prompt = `${spoken}/welcome.wav`;
    else if (!alternatives && config.VOICE_ALTERNATIVES_AFTER_MS > 0 && d.clock.now() - call.createdAt.getTime() >= config.VOICE_ALTERNATIVES_AFTER_MS) {
      prompt = `${spoken}/alternatives.wav`;
      alternatives = true;
    } else {
      const { position } = await d.queueInfo(c);
      prompt = `${spoken}/position-${position !== null && position >= 1 && position <= 9 ? position : 'many'}.wav`;
    }
    const played = await media.play(call.callId, call.fromTag, `${config.VOICE_PROMPTS_DIR!.replace(/\/$/, '')}/${prompt}`).catch((err: unknown) => {
      d.log.warn({ err: loggableError(err), conversationId: c.id, prompt }, 'the waiting message could not be played');
      return null;
    });
    // The next message once this one has been heard (its length from the media server), at the earliest.
    const heard = played ?? 0;
    const delay = data.step === 0 ? heard + 300 : Math.max(heard + 300, config.VOICE_ANNOUNCE_EVERY_MS);
    await d.jobs.add('timers', 'voice-announce', { callId: call.callId, step: data.step + 1, alternatives }, { jobId: `voice-announce-${call.id}-${data.step + 1}`, delay });
  }
  d.jobs.define('timers', 'voice-announce', async (data) => announce({ callId: String(data.callId), step: Number(data.step), alternatives: data.alternatives === true }));

  /** End the conversation of a call that is over: abandoned while it waited, wrap-up once talked. */
  async function endConversation(call: CallRow, by: 'caller' | 'counsellor' | 'system'): Promise<void> {
    await d.routing.endConversation(call.conversationId, by === 'caller' ? 'visitor' : by).catch((err: unknown) => {
      if (!(err instanceof AppError && err.code === 'invalid_state')) throw err;
    });
  }

  /** A conversation of channel phone changed: ring its counsellor once it is hers; let the caller go if it ended first. */
  async function onPublished(c: ConversationRow): Promise<void> {
    if (c.channel !== 'phone') return;
    if (c.state === 'active' && c.assignedStaffId) {
      const [call] = await db
        .update(voiceCalls)
        .set({ state: 'connecting', staffId: c.assignedStaffId })
        .where(and(eq(voiceCalls.conversationId, c.id), eq(voiceCalls.state, 'waiting')))
        .returning();
      if (!call) return;
      const rung = await control('connect', call, { 'x-target': sipUser(c.assignedStaffId), 'x-conversation': c.id });
      if (!rung) {
        // The caller hung up while the offer was accepted: the proxy's CANCEL may have lost the race.
        const gone = await move(call.callId, ['connecting'], { state: 'ended', endedAt: new Date(d.clock.now()), endedBy: 'caller' });
        if (gone) await endConversation(gone, 'caller');
      }
      return;
    }
    if (['wrapup', 'closed', 'abandoned'].includes(c.state)) {
      // Ended in the console while the call still waited at the proxy: the caller is told (480), not left ringing.
      const [call] = await db
        .update(voiceCalls)
        .set({ state: 'ended', endedAt: new Date(d.clock.now()), endedBy: 'system' })
        .where(and(eq(voiceCalls.conversationId, c.id), eq(voiceCalls.state, 'waiting')))
        .returning();
      if (call) await control('refuse', call);
    }
  }

  // Not awaited by the publisher: an accept is acknowledged without waiting for the proxy to ring.
  d.conversations.events.on('published', (c) => {
    if (c.channel !== 'phone') return;
    void onPublished(c).catch((err: unknown) => d.log.warn({ err: loggableError(err), conversationId: c.id }, 'phone call step failed'));
  });

  function view(call: CallRow): VoiceCallView {
    const now = d.clock.now();
    const answered = call.answeredAt?.getTime() ?? null;
    const ended = call.endedAt?.getTime() ?? null;
    const heldNow = call.holdStartedAt ? (ended ?? now) - call.holdStartedAt.getTime() : 0;
    return {
      conversationId: call.conversationId,
      state: call.state,
      onHold: !!call.holdStartedAt && call.state === 'talking',
      waitedSeconds: Math.round(((answered ?? ended ?? now) - call.createdAt.getTime()) / 1000),
      talkedSeconds: answered ? Math.round(((ended ?? now) - answered) / 1000) : 0,
      heldSeconds: Math.round((call.heldMs + heldNow) / 1000),
    };
  }

  return {
    enabled,

    /** The proxy received a call from the trunk: it becomes a conversation in the queue. Idempotent on the Call-ID. */
    /**
     * The proxy received a call from the trunk: it becomes a conversation in the queue. Idempotent on the
     * Call-ID. With the media server configured, also the queue's answer (SDP) for the caller's early
     * media, in which she hears the waiting messages.
     */
    async incoming(input: { callId: string; from: string; to: string; fromTag?: string }): Promise<{ conversationId: string; sdp: string | null }> {
      requireEnabled();
      const known = await byCallId(input.callId);
      if (known) return { conversationId: known.conversationId, sdp: null };
      const inbox = await inboxId();
      // A withheld number is a contact of its own call.
      const caller = input.from ? `tel:${input.from}` : `call:${input.callId}`;
      const contactId = await d.conversations.contactFor('phone', inbox, d.keys.contactHash(inbox, caller));
      const open = await d.conversations.currentForVisitor(contactId);
      if (open) throw new AppError('conflict', 'This number already has a call waiting or in progress');
      const language = languages.get(input.to) ?? (await d.defaultLanguage());
      const { conversation } = await d.conversations.start(contactId, { channel: 'phone', language });
      const [row] = await db
        .insert(voiceCalls)
        .values({ callId: input.callId, conversationId: conversation.id, dialled: input.to || null, fromTag: input.fromTag || null })
        .onConflictDoNothing()
        .returning();
      if (!row) return { conversationId: (await byCallId(input.callId))!.conversationId, sdp: null };
      let sdp: string | null = null;
      if (media && row.fromTag) {
        sdp = await media.queueAnswer(row.callId, row.fromTag).catch((err: unknown) => {
          d.log.warn({ err: loggableError(err), conversationId: conversation.id }, 'no early media for the waiting caller');
          return null;
        });
        if (sdp) await d.jobs.add('timers', 'voice-announce', { callId: row.callId, step: 0, alternatives: false }, { jobId: `voice-announce-${row.id}-0`, delay: 100 });
      }
      return { conversationId: conversation.id, sdp };
    },

    /** The counsellor's softphone answered: talking from now. */
    async answered(callId: string, toTag?: string): Promise<void> {
      requireEnabled();
      await move(callId, ['connecting'], { state: 'talking', answeredAt: new Date(d.clock.now()), toTag: toTag || null });
    },

    /** Either side hung up (a CANCEL while waiting, or a BYE). */
    async ended(callId: string, by: 'caller' | 'counsellor'): Promise<void> {
      requireEnabled();
      const now = new Date(d.clock.now());
      const call = await move(callId, ['waiting', 'connecting', 'talking'], {
        state: 'ended',
        endedAt: now,
        endedBy: by,
        holdStartedAt: null,
        heldMs: sql`${voiceCalls.heldMs} + coalesce((extract(epoch from ${now.toISOString()}::timestamptz - ${voiceCalls.holdStartedAt}) * 1000)::int, 0)`,
      });
      if (call) await endConversation(call, by);
    },

    /** The counsellor's softphone did not answer (not registered, refused): the caller was told 480. */
    async failed(callId: string): Promise<void> {
      requireEnabled();
      const call = await move(callId, ['connecting'], { state: 'ended', endedAt: new Date(d.clock.now()), endedBy: 'system' });
      if (call) await endConversation(call, 'system');
    },

    /** Hold and resume, as the counsellor's softphone did them: the time held is the call's. */
    async hold(staffId: string, conversationId: string, held: boolean): Promise<VoiceCallView> {
      requireEnabled();
      const now = new Date(d.clock.now());
      const [call] = await db
        .update(voiceCalls)
        .set(
          held
            ? { holdStartedAt: sql`coalesce(${voiceCalls.holdStartedAt}, ${now.toISOString()}::timestamptz)` }
            : { holdStartedAt: null, heldMs: sql`${voiceCalls.heldMs} + coalesce((extract(epoch from ${now.toISOString()}::timestamptz - ${voiceCalls.holdStartedAt}) * 1000)::int, 0)` },
        )
        .where(and(eq(voiceCalls.conversationId, conversationId), eq(voiceCalls.staffId, staffId), eq(voiceCalls.state, 'talking')))
        .returning();
      if (!call) throw new AppError('invalid_state', 'No call of yours is in progress in this conversation');
      return view(call);
    },

    /** The call of a conversation, for its counsellor and the case record: state and times. */
    async callOf(conversationId: string): Promise<VoiceCallView | null> {
      const [call] = await db.select().from(voiceCalls).where(eq(voiceCalls.conversationId, conversationId)).orderBy(sql`${voiceCalls.createdAt} desc`).limit(1);
      return call ? view(call) : null;
    },

    /** A staff member's softphone: where to register, and credentials the proxy checks without asking us (auth_ephemeral). */
    softphone(staffId: string): SoftphoneConfig {
      if (!enabled) return { enabled: false };
      const expiresAt = Math.floor(d.clock.now() / 1000) + CREDENTIAL_TTL_S;
      const user = sipUser(staffId);
      const authorizationUser = `${expiresAt}:${user}`;
      const password = createHmac('sha1', config.VOICE_SIP_SECRET!).update(authorizationUser).digest('base64');
      return {
        enabled: true,
        wsUrl: config.VOICE_WS_URL!,
        uri: `sip:${user}@${config.VOICE_SIP_DOMAIN}`,
        authorizationUser,
        password,
        expiresAt: new Date(expiresAt * 1000).toISOString(),
      };
    },
  };
}
export type VoiceService = ReturnType<typeof createVoiceService>;
