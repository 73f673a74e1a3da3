// The platform's use of the stock adapter (server/src/realtime/cluster.ts): a closed Redis connection
// never becomes an unhandled rejection (which ends a Node process with code 1: an instance shutting down
// under a rolling restart exited so, because a disconnect handler asked who was online after the
// adapter's connection had closed).
import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { Server } from 'socket.io';
import { redisFactory } from '../../src/infra/redis.js';
import { clusterAdapter } from '../../src/realtime/cluster.js';
import { deleteRedisPrefix, TEST_REDIS_URL, uid } from '../helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

describe('the cross-instance adapter on a closed connection', () => {
  it('rejects fetchSockets and serverSideEmit with an error, and leaves no rejection unhandled', async () => {
    const prefix = `cl${uid()}`;
    cleanups.push(() => deleteRedisPrefix(prefix));
    const pub = redisFactory(TEST_REDIS_URL, prefix).create({ blocking: true, name: 'socketio-adapter', autoPipeline: true, readyCheck: false });
    const adapter = clusterAdapter(pub, { streamName: `${prefix}:socket.io`, channelPrefix: `${prefix}:socket.io` });
    const io = new Server(createServer(), { adapter: adapter.factory });
    cleanups.push(async () => void io.close());
    await new Promise((r) => setTimeout(r, 100));
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    cleanups.push(async () => void process.off('unhandledRejection', onUnhandled));

    pub.disconnect();
    const fetched = await io.in('staff:x').fetchSockets().then(() => 'answered', (e: Error) => e.message);
    io.serverSideEmit('ping');
    // Give the dropped promises' rejections the turns they need to be reported.
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 50));
    expect(fetched).not.toBe('answered');
    expect(unhandled.map((e) => (e as Error).message)).toEqual([]);
  });
});
