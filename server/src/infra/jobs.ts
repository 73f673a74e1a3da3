// BullMQ: named jobs on a few queues, one Worker per queue per instance. Handlers must be idempotent
// (BullMQ delivers at least once) and check the current state before acting.
import { Queue, Worker, type Job, type JobsOptions } from 'bullmq';
import type { FastifyBaseLogger } from 'fastify';
import type { RedisFactory } from './redis.js';
import { loggableError } from '../http/errors.js';

/** Exponential from the job's `backoff.delay`, or the failed attempt's `retryAfterMs` when longer. */
export function retryAfterBackoff(attemptsMade: number, _type?: string, err?: Error, job?: { opts: JobsOptions }): number {
  const backoff = job?.opts.backoff;
  const base = typeof backoff === 'object' ? (backoff.delay ?? 1000) : (backoff ?? 1000);
  const exponential = base * 2 ** Math.max(0, attemptsMade - 1);
  const asked = (err as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
  return typeof asked === 'number' && Number.isFinite(asked) ? Math.max(exponential, asked) : exponential;
}

export type JobHandler = (data: Record<string, unknown>, job: Job) => Promise<void>;

export const QUEUES = {
  /** Routing decisions: latency-sensitive, short. */
  routing: { concurrency: 4 },
  /** Timers: offer timeouts, grace periods, wrap-up ends, housekeeping. */
  timers: { concurrency: 8 },
  /** The channels' outbox: deliveries to outside systems, slow and retried (channels/outbox.ts). */
  channels: { concurrency: 8 },
  /** E-mail inboxes' receiving sessions: long (IMAP IDLE), one per mailbox at a time (channels/email). */
  mail: { concurrency: 4 },
  /** Web Push of published alerts to browsers' push services (alerts/push): many, small, retried. */
  push: { concurrency: 8 },
} as const;
export type QueueName = keyof typeof QUEUES;

export class Jobs {
  private readonly queues = new Map<QueueName, Queue>();
  private readonly workers: Worker[] = [];
  private readonly handlers = new Map<string, JobHandler>();
  private started = false;

  constructor(
    private readonly redis: RedisFactory,
    private readonly log: FastifyBaseLogger,
  ) {
    const connection = redis.create({ name: 'bullmq-queue' });
    for (const name of Object.keys(QUEUES) as QueueName[]) {
      this.queues.set(
        name,
        new Queue(name, {
          connection,
          prefix: `${redis.prefix}:bull`,
          defaultJobOptions: { removeOnComplete: true, removeOnFail: 1000, attempts: 5, backoff: { type: 'exponential', delay: 200 } },
        }),
      );
    }
  }

  /** Register a handler; `queue:name` must be unique. */
  define(queue: QueueName, name: string, handler: JobHandler): void {
    this.handlers.set(`${queue}:${name}`, handler);
  }

  async add(queue: QueueName, name: string, data: Record<string, unknown>, opts?: JobsOptions): Promise<void> {
    await this.queues.get(queue)!.add(name, data, opts);
  }

  async addBulk(queue: QueueName, jobs: { name: string; data: Record<string, unknown>; opts?: JobsOptions }[]): Promise<void> {
    await this.queues.get(queue)!.addBulk(jobs);
  }

  /** Remove a delayed job by its deterministic id (no-op if gone or already running). */
  async remove(queue: QueueName, jobId: string): Promise<void> {
    try {
      await this.queues.get(queue)!.remove(jobId);
    } catch {
      // A job that is running or locked cannot be removed: its handler checks state and does nothing.
    }
  }

  /** A job every `everyMs` under one scheduler id (BullMQ job scheduler: upserted, the same on every instance). */
  async schedule(queue: QueueName, schedulerId: string, everyMs: number, name: string, data: Record<string, unknown>): Promise<void> {
    await this.queues.get(queue)!.upsertJobScheduler(schedulerId, { every: everyMs }, { name, data, opts: { removeOnComplete: true, removeOnFail: 100, attempts: 1 } });
  }

  async unschedule(queue: QueueName, schedulerId: string): Promise<void> {
    await this.queues.get(queue)!.removeJobScheduler(schedulerId);
  }

  /** The state of a job by its id, or null when there is none (completed and removed, or never added). */
  async state(queue: QueueName, jobId: string): Promise<{ state: string; failedReason?: string } | null> {
    const job = await this.queues.get(queue)!.getJob(jobId);
    if (!job) return null;
    return { state: await job.getState(), ...(job.failedReason ? { failedReason: job.failedReason } : {}) };
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const [name, { concurrency }] of Object.entries(QUEUES) as [QueueName, { concurrency: number }][]) {
      const worker = new Worker(
        name,
        async (job) => {
          const handler = this.handlers.get(`${name}:${job.name}`);
          if (!handler) throw new Error(`no handler for job ${name}:${job.name}`);
          await handler(job.data as Record<string, unknown>, job);
        },
        {
          connection: this.redis.create({ blocking: true, name: `bullmq-worker-${name}` }),
          prefix: `${this.redis.prefix}:bull`,
          concurrency,
          // Fast pickup of delayed jobs (offer timeouts) without hammering Redis.
          drainDelay: 1,
          // Backoff type 'retry-after': exponential, but never sooner than the outside system asked
          // (an error carrying `retryAfterMs`, from a 429's Retry-After).
          settings: { backoffStrategy: retryAfterBackoff },
        },
      );
      worker.on('failed', (job, err) => this.log.warn({ job: job?.name, queue: name, err: loggableError(err) }, 'job failed'));
      worker.on('error', (err) => this.log.warn({ queue: name, err: err.message }, 'worker error'));
      this.workers.push(worker);
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.workers.map((w) => w.close()));
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
  }
}
