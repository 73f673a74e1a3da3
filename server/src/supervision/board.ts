// The live board: a snapshot recomputed after a change and pushed to the supervisors room.
// `touch()` asks for a recomputation; touches within the same 250 ms bucket collapse into one BullMQ
// job (deterministic jobId), so however busy the centre is, the board costs at most four snapshots a
// second, computed by whichever instance picks the job, and fanned out by the Socket.IO Redis adapter.
// Changes are noticed three ways: routing's kick() and state changes (routing calls touch() through
// its change listener), supervisors' own actions, and a refresh every BOARD_REFRESH_MS (1 s) while any
// supervisor is connected (durations and waits tick, and nothing can be missed for long). The refresh
// is separate from the presence heartbeat so that it can be turned off to measure the change path.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { BoardSnapshot } from '@helpline/shared';
import { boardSnapshot, overdueWaits, startOfDay } from '../routing/board-queries.js';
import { rooms } from '../realtime/server.js';

const BUCKET_MS = 250;
/** Presence heartbeat: the key outlives three beats, so one late beat loses no update. */
const PRESENCE_MS = 1_000;

export function createBoard(app: FastifyInstance) {
  const presenceKey = `${app.redis.prefix}:sup:present`;
  let lastBucket = -1;
  let timers: NodeJS.Timeout[] = [];
  let computing: { startedAt: number; result: Promise<BoardSnapshot> } | null = null;
  let queued: Promise<BoardSnapshot> | null = null;

  async function compute(): Promise<BoardSnapshot> {
    const now = new Date();
    const [sl, hours, surge, inbox, channelTargets] = await Promise.all([
      app.settings.get('serviceLevel'),
      app.settings.get('hours'),
      app.settings.get('surge'),
      app.offlineMessages.counts(now),
      app.settings.get('channelTargets'),
    ]);
    const offlineMessages = {
      waiting: inbox.waiting,
      claimed: inbox.claimed,
      oldestWaitSeconds: inbox.oldestWaitingAt ? Math.max(0, Math.round((now.getTime() - Date.parse(inbox.oldestWaitingAt)) / 1000)) : null,
    };
    return boardSnapshot(app.db, { now, dayStart: startOfDay(now, hours.timeZone), targetSeconds: sl.targetSeconds, channelTargets, leaveMessageOnly: surge.leaveMessageOnly, offlineMessages });
  }

  function begin(): Promise<BoardSnapshot> {
    const result = compute().finally(() => {
      if (computing?.result === result) computing = null;
    });
    computing = { startedAt: Date.now(), result };
    return result;
  }

  /**
   * One computation at a time per instance; concurrent callers share it, unless it started before
   * `notBefore`: it may then miss the change the caller was asked to show, so one more computation
   * follows it (shared by every such caller meanwhile).
   */
  function snapshot(notBefore = 0): Promise<BoardSnapshot> {
    if (!computing) return begin();
    if (computing.startedAt > notBefore) return computing.result;
    queued ??= computing.result
      .catch(() => undefined)
      .then(() => {
        queued = null;
        return begin();
      });
    return queued;
  }

  /** Raise a 'long_wait' alert once per conversation (Redis SET NX, shared by all instances). */
  async function alertOverdue(s: BoardSnapshot): Promise<void> {
    const sl = await app.settings.get('serviceLevel');
    for (const id of overdueWaits(s, sl.urgentAlertSeconds, sl.longWaitAlertSeconds)) {
      const first = await app.redisClient.set(`${app.redis.prefix}:sup:longwait:${id}`, '1', 'EX', 86_400, 'NX');
      if (first) app.realtime.agent.to(rooms.supervisors).emit('alert:new', { id: randomUUID(), kind: 'long_wait', conversationId: id, at: new Date().toISOString() });
    }
  }

  async function publish(): Promise<void> {
    // Nobody watching anywhere: nothing to compute.
    if (!(await app.redisClient.exists(presenceKey))) return;
    // The job runs after the changes that asked for it: a computation already under way may predate them.
    const s = await snapshot(Date.now());
    app.realtime.agent.to(rooms.supervisors).emit('board:update', s);
    await alertOverdue(s);
  }

  // Whether a supervisor is connected anywhere, re-read at most once a second per instance.
  let present = { value: false, at: 0 };
  async function anyoneWatching(): Promise<boolean> {
    if (Date.now() - present.at > PRESENCE_MS) present = { value: (await app.redisClient.exists(presenceKey)) > 0, at: Date.now() };
    return present.value;
  }

  async function touch(): Promise<void> {
    const bucket = Math.floor(Date.now() / BUCKET_MS);
    if (bucket === lastBucket) return;
    if (!(await anyoneWatching())) return;
    lastBucket = bucket;
    const delay = Math.max(0, (bucket + 1) * BUCKET_MS - Date.now());
    await app.jobs.add('routing', 'supervision-board', {}, { jobId: `board-${bucket}`, delay, attempts: 1 });
  }

  function localSupervisors(): number {
    return app.realtime.agent.adapter.rooms.get(rooms.supervisors)?.size ?? 0;
  }

  async function heartbeat(): Promise<void> {
    if (localSupervisors() === 0) return;
    await app.redisClient.set(presenceKey, '1', 'PX', PRESENCE_MS * 3);
    present = { value: true, at: Date.now() };
  }

  async function refresh(): Promise<void> {
    if (localSupervisors() === 0) return;
    await touch();
  }

  app.jobs.define('routing', 'supervision-board', async () => {
    await publish();
  });

  return {
    snapshot,
    touch,
    /** A supervisor connected: mark presence at once so the next change is pushed. */
    async supervisorPresent(): Promise<void> {
      await app.redisClient.set(presenceKey, '1', 'PX', PRESENCE_MS * 3);
      present = { value: true, at: Date.now() };
    },
    start(): void {
      if (timers.length) return;
      const every = (ms: number, run: () => Promise<void>, what: string) => {
        const t = setInterval(() => {
          run().catch((err: unknown) => app.log.warn({ err: (err as Error).message }, what));
        }, ms);
        t.unref();
        timers.push(t);
      };
      every(PRESENCE_MS, heartbeat, 'board presence failed');
      if (app.config.BOARD_REFRESH_MS > 0) every(app.config.BOARD_REFRESH_MS, refresh, 'board refresh failed');
    },
    async stop(): Promise<void> {
      for (const t of timers) clearInterval(t);
      timers = [];
    },
  };
}
export type Board = ReturnType<typeof createBoard>;
