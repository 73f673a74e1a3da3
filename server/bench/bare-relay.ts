// The baseline of `pnpm bench messages`: the least a chat relay must do for the platform's exchange, done
// as well as we know how. It acknowledges the sender and delivers the message to the other party and to
// the sender's other sockets (not back to the sending socket: its acknowledgement carries the message),
// with the platform's message shape on the wire (an id, a time, the counsellor's name) and the
// platform's write coalescing (one socket write per client per turn). No persistence, validation,
// authorisation or routing. Run as its own process: `node --import tsx bare-relay.ts <port>`.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { coalesceWrites } from '../src/realtime/coalesce.js';

const port = Number(process.argv[2] ?? 0);
const http = createServer();
const io = new Server(http, { serveClient: false, transports: ['websocket'] });
coalesceWrites(io);
let seq = 0;
for (const name of ['/widget', '/agent']) {
  io.of(name).on('connection', (socket) => {
    const auth = socket.handshake.auth as { room?: string; name?: string };
    const me = String(auth.room ?? socket.id);
    void socket.join(me);
    socket.on('message:send', (p: { conversationId: string; clientMsgId: string; body: string; to: string; toNsp: string }, ack?: (r: unknown) => void) => {
      const msg = {
        id: randomUUID(),
        conversationId: p.conversationId,
        seq: ++seq,
        clientMsgId: p.clientMsgId,
        sender: name === '/widget' ? 'visitor' : 'counsellor',
        ...(auth.name ? { senderName: auth.name } : {}),
        body: p.body,
        createdAt: new Date().toISOString(),
      };
      ack?.({ ok: true, data: msg });
      io.of(p.toNsp).to(p.to).emit('message:new', msg);
      // The sender's other sockets (another tab); `socket.to` leaves out the sending socket itself.
      socket.to(me).emit('message:new', msg);
    });
  });
}
http.listen(port, '127.0.0.1', () => {
  const a = http.address();
  process.stdout.write(`listening ${typeof a === 'object' && a ? a.port : port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
