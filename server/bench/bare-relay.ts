// The baseline of `pnpm bench messages`: a bare Socket.IO relay doing the same exchange as the platform
// (ack the sender, deliver to the other side and echo to the sender's room, the same message on the wire:
// the platform's ChatMessage, with an id, a time and the counsellor's name) with no persistence,
// validation, authorisation or routing. Run as its own process: `node --import tsx bare-relay.ts <port>`.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const port = Number(process.argv[2] ?? 0);
const http = createServer();
const io = new Server(http, { serveClient: false, transports: ['websocket'] });
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
      socket.nsp.to(me).emit('message:new', msg);
    });
  });
}
http.listen(port, '127.0.0.1', () => {
  const a = http.address();
  process.stdout.write(`listening ${typeof a === 'object' && a ? a.port : port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
