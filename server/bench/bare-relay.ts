// The baseline of `pnpm bench messages`: a bare Socket.IO relay doing the same exchange as the platform
// (ack the sender, deliver to the other side and echo to the sender's room) with no persistence,
// validation, authorisation or routing. Run as its own process: `node --import tsx bare-relay.ts <port>`.
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const port = Number(process.argv[2] ?? 0);
const http = createServer();
const io = new Server(http, { serveClient: false, transports: ['websocket'] });
let seq = 0;
for (const name of ['/widget', '/agent']) {
  io.of(name).on('connection', (socket) => {
    const me = String((socket.handshake.auth as { room?: string }).room ?? socket.id);
    void socket.join(me);
    socket.on('message:send', (p: { conversationId: string; clientMsgId: string; body: string; to: string; toNsp: string }, ack?: (r: unknown) => void) => {
      const msg = { conversationId: p.conversationId, clientMsgId: p.clientMsgId, body: p.body, seq: ++seq, sender: name === '/widget' ? 'visitor' : 'counsellor' };
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
