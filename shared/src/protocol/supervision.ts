// Supervision: the live board, helping hands and statistics (/agent namespace, supervisors and admins).
import type { AgentStatus, ConversationChannel, Language, Priority, StaffRole, Topic } from '../domain.js';
import type { ChatMessage, StaffConversation } from './common.js';
import type { Note } from './console.js';

/** How the board shows a counsellor: `busy` = available with at least one chat or offer. */
export type BoardAgentState = 'available' | 'busy' | 'wrapup' | 'away' | 'offline';

export interface BoardCounsellor {
  staffId: string;
  name: string;
  role: StaffRole;
  state: BoardAgentState;
  status: AgentStatus;
  /** Slots used (offers and chats by their channels' weights: an e-mail 0.25), shown as "1.5 / 3". */
  load: number;
  capacity: number;
  languages: Language[];
  topics: Topic[];
  /** When the board state (`state`) began: any status change, and available <-> busy (load leaving or reaching 0). */
  since: string;
  wrapupUntil: string | null;
  connected: boolean;
}

export interface BoardWaiting {
  id: string;
  state: 'waiting' | 'offered';
  priority: Priority;
  language: Language | null;
  topic: Topic | null;
  enqueuedAt: string;
  waitSeconds: number;
  riskFlagged: boolean;
  overflow: boolean;
  /** While offered: the counsellor it is offered to. */
  offeredTo: string | null;
  /** Transferred with "Queue for <name>": the colleague it waits for, while the reservation lasts. */
  reservedFor: string | null;
}

export interface BoardQueueGroup {
  language: Language | null;
  topic: Topic | null;
  priority: Priority;
  count: number;
  longestWaitSeconds: number;
}

/** One channel's queue against its service-level target (setting `channelTargets`, seconds to first answer). */
export interface BoardChannelQueue {
  channel: ConversationChannel;
  /** Waiting or offered. */
  waiting: number;
  oldestWaitSeconds: number;
  targetSeconds: number;
}

export interface BoardLive {
  id: string;
  priority: Priority;
  language: Language | null;
  topic: Topic | null;
  staffId: string | null;
  staffName: string | null;
  acceptedAt: string | null;
  durationSeconds: number;
  riskFlagged: boolean;
  helpRequested: boolean;
}

export interface BoardSnapshot {
  at: string;
  /** Leave-a-message: how many wait for an answer and since when (counts only, never the words). */
  offlineMessages: { waiting: number; claimed: number; oldestWaitSeconds: number | null };
  waiting: {
    total: number;
    byPriority: Record<Priority, number>;
    groups: BoardQueueGroup[];
    longestWaitSeconds: number;
    /** Estimated wait of a contact arriving now; null when nobody is available. */
    estimatedWaitSeconds: number | null;
    /** Per channel with anyone waiting (in CONVERSATION_CHANNELS order): count, oldest wait, target. */
    byChannel: BoardChannelQueue[];
    /** The head of the queue, in queue order (at most 100). */
    list: BoardWaiting[];
  };
  counsellors: BoardCounsellor[];
  byState: Record<BoardAgentState, number>;
  live: {
    total: number;
    inWrapup: number;
    /** Longest first (at most 200). */
    list: BoardLive[];
  };
  today: {
    /** Local midnight of the centre (settings hours.timeZone). */
    since: string;
    answered: number;
    abandoned: number;
    asaSeconds: number | null;
    serviceLevel: { targetSeconds: number; answeredWithinTarget: number; share: number | null };
  };
  surge: { leaveMessageOnly: boolean };
}

export interface WatchResult {
  conversation: StaffConversation;
  messages: ChatMessage[];
  notes: Note[];
}

export interface SuperviseAgentPayload {
  staffId: string;
  status?: Exclude<AgentStatus, 'offline'> | 'offline';
  capacity?: number;
}

export interface OverflowPayload {
  language?: Language;
  topic?: Topic;
}

/** GET /api/stats?from&to (ISO dates; `to` exclusive). */
export interface StatsReport {
  from: string;
  to: string;
  contacts: {
    total: number;
    byChannel: Record<string, number>;
    byInsafeCategory: Record<string, number>;
    byChiCategory: Record<string, number>;
    byContactType: Record<string, number>;
    byAgeGroup: Record<string, number>;
    byGender: Record<string, number>;
    byPlatform: Record<string, number>;
    byOutcome: Record<string, number>;
    referrals: number;
  };
  chat: {
    offered: number;
    answered: number;
    abandoned: number;
    asaSeconds: number | null;
    avgHandleSeconds: number | null;
    serviceLevel: { targetSeconds: number; share: number | null };
  };
  /**
   * Service level per conversation channel (those with any conversation in the period, in
   * CONVERSATION_CHANNELS order), each against its own target (setting `channelTargets`).
   */
  channels: ChannelServiceLevel[];
  /** Null when the hotline service is not part of this deployment. */
  hotline: { total: number; byClassification: Record<string, number> } | null;
}

export interface ChannelServiceLevel {
  channel: ConversationChannel;
  /** Conversations of the channel that entered the queue in the period. */
  count: number;
  answered: number;
  /** Left the queue before anyone answered (a caller who hung up while waiting). */
  abandoned: number;
  targetSeconds: number;
  /** Of those answered or abandoned, the share answered within the target; null with none. */
  withinTargetShare: number | null;
  /** Median time from entering the queue to the first answer (accept), of those answered. */
  medianFirstAnswerSeconds: number | null;
}
