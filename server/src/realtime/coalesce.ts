// One socket write per client per turn of the event loop. Engine.io writes every packet as soon as it is
// sent: a batch of messages committed together meant one write per packet, and on a loaded machine every
// write to a socket is a system call that wakes the reader. Here a connection's flush waits for the end
// of the current turn (process.nextTick runs after the turn's promise continuations), so the packets of
// that turn (the ack, the echo, the messages of one committed batch for one counsellor) leave in order,
// in one flush, and the TCP socket is corked around it so that their frames make one write.
// It relies on engine.io's Socket#flush (the one place packets leave the write buffer); order, close
// after drain and the transports' own flow control are unchanged.
import type { Socket as NetSocket } from 'node:net';
import type { Server } from 'socket.io';

interface EngineConnection {
  flush(): void;
  transport?: { name?: string; socket?: { _socket?: NetSocket } };
}

export function coalesceWrites(io: Server): void {
  io.engine.on('connection', (conn: EngineConnection) => {
    const flushNow = conn.flush.bind(conn);
    let scheduled = false;
    const run = () => {
      scheduled = false;
      const raw = conn.transport?.name === 'websocket' ? conn.transport.socket?._socket : undefined;
      if (!raw || raw.destroyed) return flushNow();
      raw.cork();
      try {
        flushNow();
      } finally {
        raw.uncork();
      }
    };
    conn.flush = () => {
      if (scheduled) return;
      scheduled = true;
      process.nextTick(run);
    };
  });
}
