// The connection-state-recovery tests of @socket.io/redis-streams-adapter, ported to vitest and run
// against the stock adapter as the platform runs it and with the suite's own options (issue 16; an
// upgrade of the adapter must pass it here too). Harness, profiles, known failures and what changed in the port:
// conformance-support.ts; results: docs/realtime-adapter.md.
//
// Source: https://github.com/socketio/socket.io-redis-streams-adapter, test/connection-state-recovery.ts at release 0.3.1
// (commit e4e38eb). Copyright (c) 2023 The Socket.IO team, MIT licence: permission is granted to use,
// copy, modify and distribute it provided the copyright notice and the permission notice are kept:
// "The above copyright notice and this permission notice shall be included in all copies or
// substantial portions of the Software. THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND."
import { afterEach, beforeEach, describe, expect } from 'vitest';
import type { Server } from 'socket.io';
import { io as ioc } from 'socket.io-client';
import { deleteRedisPrefix, uid } from '../helpers.js';
import { conformanceTest, profiles, scenario, setup } from './conformance-support.js';

for (const profile of profiles) {
  const test = conformanceTest(profile);

  describe(`${profile}: connection state recovery`, () => {
    let prefix: string;
    let servers: Server[];
    let ports: number[];
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      prefix = `conf${uid()}`;
      ({ servers, ports, cleanup } = await setup(profile, prefix, { connectionStateRecovery: { maxDisconnectionDuration: 5000 } }));
    });
    afterEach(async () => {
      await cleanup();
      await deleteRedisPrefix(prefix);
    });

    test('should restore the session', async () => {
      const { done, guard, promise } = scenario();
      const socket = ioc(`http://127.0.0.1:${ports[0]}`, { reconnectionDelay: 20 });
      let initialId: string | undefined;
      socket.once(
        'connect',
        guard(() => {
          expect(socket.recovered).toEqual(false);
          initialId = socket.id;
          servers[0]!.emit('init');
        }),
      );
      socket.on('init', () => {
        // under the hood, the client saves the offset of this packet, so now we force the reconnection
        socket.io.engine.close();
        socket.on(
          'connect',
          guard(() => {
            expect(socket.recovered).toEqual(true);
            expect(socket.id).toEqual(initialId);
            done();
          }),
        );
      });
      try {
        await promise;
      } finally {
        socket.disconnect();
      }
    });

    test('should restore any missed packets', async () => {
      const { done, guard, promise } = scenario();
      const socket = ioc(`http://127.0.0.1:${ports[0]}`, { reconnectionDelay: 20 });
      const lastOffset = () => (socket as unknown as { _lastOffset: string })._lastOffset;
      servers[0]!.once('connection', (serverSocket) => {
        void serverSocket.join('room1');
        serverSocket.on('disconnect', () => {
          // let's send some packets while the client is disconnected
          serverSocket.emit('myEvent', 1);
          servers[0]!.emit('myEvent', 2);
          servers[0]!.to('room1').emit('myEvent', 3);
          // those packets should not be received by the client upon reconnection (room mismatch)
          servers[0]!.to('room2').emit('myEvent', 4);
          servers[0]!.except('room1').emit('myEvent', 5);
          servers[0]!.of('/foo').emit('myEvent', 6);
        });
      });
      socket.once('connect', () => {
        servers[1]!.emit('init');
      });
      const events: number[] = [];
      const offsets = new Set<string>();
      socket.on('init', () => {
        // under the hood, the client saves the offset of this packet, so now we force the reconnection
        socket.io.engine.close();
        socket.on(
          'connect',
          guard(() => {
            offsets.add(lastOffset());
            expect(socket.recovered).toEqual(true);
            setTimeout(
              guard(() => {
                expect(events).toEqual([1, 2, 3]);
                expect(offsets.size).toEqual(4);
                done();
              }),
              50,
            );
          }),
        );
      });
      socket.on('myEvent', (val: number) => {
        events.push(val);
        // note: the offset is updated after the callback execution
        offsets.add(lastOffset());
      });
      try {
        await promise;
      } finally {
        socket.disconnect();
      }
    });

    test('should fail to restore an unknown session (invalid session ID)', async () => {
      const { done, guard, promise } = scenario();
      const socket = ioc(`http://127.0.0.1:${ports[0]}`, { reconnectionDelay: 20 });
      socket.once('connect', () => {
        const s = socket as unknown as { _pid: string; _lastOffset: string };
        s._pid = 'abc';
        s._lastOffset = '507f191e810c19729de860ea';
        // force reconnection
        socket.io.engine.close();
        socket.on(
          'connect',
          guard(() => {
            expect(socket.recovered).toEqual(false);
            done();
          }),
        );
      });
      try {
        await promise;
      } finally {
        socket.disconnect();
      }
    });

    test('should fail to restore an unknown session (invalid offset)', async () => {
      const { done, guard, promise } = scenario();
      const socket = ioc(`http://127.0.0.1:${ports[0]}`, { reconnectionDelay: 20, upgrade: false });
      socket.once('connect', () => {
        (socket as unknown as { _lastOffset: string })._lastOffset = 'abc';
        socket.io.engine.close();
        socket.on(
          'connect',
          guard(() => {
            expect(socket.recovered).toEqual(false);
            done();
          }),
        );
      });
      try {
        await promise;
      } finally {
        socket.disconnect();
      }
    });
  });
}
