// Coalesced writes: the packets a server sends a client in one turn of the event loop leave in order, in
// one write to the TCP socket; a packet sent in a later turn leaves by itself.
import { createServer } from 'node:http';
import type { Socket as NetSocket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Server } from 'socket.io';
import { io as ioc, type Socket } from 'socket.io-client';
import { coalesceWrites } from '../../src/realtime/coalesce.js';

const http = createServer();
const io = new Server(http, { transports: ['websocket'] });
coalesceWrites(io);
let url = '';
beforeAll(async () => {
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const a = http.address();
  url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
afterAll(async () => {
  await new Promise<void>((r) => io.close(() => r()));
});

it('sends the packets of one turn in order, in one write', async () => {
  const serverSide = new Promise<import('socket.io').Socket>((r) => io.once('connection', r));
  const client: Socket = ioc(url, { transports: ['websocket'], forceNew: true });
  const s = await serverSide;
  await new Promise<void>((r) => (client.connected ? r() : client.once('connect', () => r())));
  const raw = (s.conn as unknown as { transport: { socket: { _socket: NetSocket } } }).transport.socket._socket;
  let writes = 0;
  const count = <F extends (...a: never[]) => unknown>(f: F) => ((...a: Parameters<F>) => (writes++, f.apply(raw, a))) as F;
  raw._write = count(raw._write.bind(raw));
  if (raw._writev) raw._writev = count(raw._writev.bind(raw));

  const got: number[] = [];
  const all = new Promise<void>((r) => client.on('n', (i: number) => (got.push(i), got.length === 21 && r())));
  // Twenty packets in one turn (some from promise continuations of that turn), then one more later.
  for (let i = 0; i < 10; i++) s.emit('n', i);
  await Promise.resolve();
  for (let i = 10; i < 20; i++) s.emit('n', i);
  await new Promise((r) => setTimeout(r, 50));
  expect(writes).toBe(1);
  s.emit('n', 20);
  await all;
  expect(got).toEqual(Array.from({ length: 21 }, (_, i) => i));
  expect(writes).toBe(2);
  client.disconnect();
});
