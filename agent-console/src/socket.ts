// The /agent Socket.IO connection (cookie session, same origin), typed from the shared protocol.
import { io, type Socket } from 'socket.io-client';
import { NAMESPACES } from '@helpline/shared';
import type { Ack, AckDataOf, AckedEvents, AgentClientToServerEvents, AgentServerToClientEvents, PayloadOf } from '@helpline/shared';

export type AgentSocket = Socket<AgentServerToClientEvents, AgentClientToServerEvents>;

const closedByApp = new WeakSet<AgentSocket>();

/** Close for good (logout, leaving the shell): no automatic reconnect afterwards. */
export function closeAgent(socket: AgentSocket): void {
  closedByApp.add(socket);
  socket.disconnect();
}

export function connectAgent(): AgentSocket {
  const socket = io(NAMESPACES.agent, { path: '/socket.io', withCredentials: true, transports: ['websocket', 'polling'] }) as AgentSocket;
  // socket.io does not reconnect by itself after the server closed the socket, which is what an
  // instance does when it shuts down: reconnect (to any instance) after a short random pause. A
  // revoked session is then refused with connect_error 'unauthorized' and the shell logs out.
  socket.on('disconnect', (reason) => {
    if (reason !== 'io server disconnect') return;
    setTimeout(() => {
      if (!closedByApp.has(socket)) socket.connect();
    }, 500 + Math.random() * 1500);
  });
  return socket;
}

type Events = AgentClientToServerEvents;

/** What of the socket `emitAck` needs: emitting with an acknowledgement callback (the typed socket is one). */
interface Emitter {
  emit(event: string, ...args: unknown[]): unknown;
}

/** Emit an event with an acknowledgement; resolves with the Ack (never rejects, times out as 'unavailable'). */
export function emitAck<E extends AckedEvents<Events> & string>(
  socket: AgentSocket,
  event: E,
  payload: PayloadOf<Events, E>,
  timeoutMs = 15_000,
): Promise<Ack<AckDataOf<Events, E>>> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ ok: false, error: { code: 'unavailable', message: 'No answer from the server', retryable: true } }), timeoutMs);
    // The answer's type is the event map's contract with the server, which types it the same way.
    const emitter: Emitter = socket;
    emitter.emit(event, payload, (r: Ack<AckDataOf<Events, E>>) => {
      clearTimeout(timer);
      resolve(r);
    });
  });
}
