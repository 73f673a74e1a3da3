// What buildApp decorates the Fastify instance with; each feature declares its own service here.
import type { Redis } from 'ioredis';
import type { Config } from './config.js';
import type { Database, Db } from './db/client.js';
import type { Jobs } from './infra/jobs.js';
import type { RedisFactory } from './infra/redis.js';
import type { Realtime } from './realtime/server.js';
import type { AuthService, Session } from './auth/service.js';
import type { SessionWatch } from './auth/socket-sessions.js';
import type { StaffAdmin } from './admin/staff.js';
import type { AuditService } from './audit/service.js';
import type { SettingsService } from './settings/service.js';
import type { ConversationService } from './conversations/service.js';
import type { RoutingService } from './routing/service.js';
import type { CaseService } from './cases/service.js';
import type { CaseRecords } from './cases/records.js';
import type { RateLimits } from './ratelimit/service.js';
import type { HotlineService } from './hotline/service.js';
import type { NoteService } from './notes/service.js';
import type { CannedService } from './canned/service.js';
import type { ReferralService } from './referrals/service.js';
import type { ProfileService } from './profiles/service.js';
import type { ReturnCodeService } from './cases/return-codes.js';
import type { OfflineMessageService } from './widget/service.js';
import type { SupervisionService } from './supervision/service.js';
import type { Metrics } from './metrics/metrics.js';

import type { RetentionService } from './retention/service.js';
import type { ChannelService } from './channels/service.js';
import type { Clock } from './infra/clock.js';
import type { AlertService } from './alerts/service.js';
import type { PushService } from './alerts/push/service.js';
import type { VoiceService } from './voice/service.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    database: Database;
    db: Db;
    redis: RedisFactory;
    /** Shared command connection (rate limits, presence). */
    redisClient: Redis;
    jobs: Jobs;
    realtime: Realtime;
    auth: AuthService;
    /** Ends staff sockets whose session expired or was revoked, on every instance. */
    sessionWatch: SessionWatch;
    /** Staff accounts as admins (console) and the CLI manage them. */
    staffAdmin: StaffAdmin;
    audit: AuditService;
    settings: SettingsService;
    conversations: ConversationService;
    router: RoutingService;
    cases: CaseService;
    caseRecords: CaseRecords;
    rateLimits: RateLimits;
    hotline: HotlineService;
    notes: NoteService;
    canned: CannedService;
    referrals: ReferralService;
    profiles: ProfileService;
    returnCodes: ReturnCodeService;
    retention: RetentionService;
    offlineMessages: OfflineMessageService;
    supervision: SupervisionService;
    metrics: Metrics;
    /** The channel seam: inboxes, inbound receipt, the outbox (docs/channels.md). */
    channels: ChannelService;
    /** Trend alerts: four-eyes workflow and the public feeds. */
    alerts: AlertService;
    /** Web Push of published alerts (alerts/push). */
    push: PushService;
    /** The phone line: calls from the SIP proxy in the queue, the softphones' credentials (docs/voice.md). */
    voice: VoiceService;
    /** The time of routing, rate limits, sessions and signed requests. */
    clock: Clock;
  }
  interface FastifyRequest {
    session: Session | null;
  }
}
