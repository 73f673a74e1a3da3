// Draining on shutdown. An instance that stops tells its sockets to reconnect elsewhere, then keeps
// their transports open until every event that asked for an acknowledgement has been answered: a
// message being committed when SIGTERM came is acknowledged on the socket that sent it, not left for
// the client to time out and resend. Only then are the transports closed (the clients reconnect
// through the load balancer to another instance). Bounded by SHUTDOWN_GRACE_MS.
import type { Namespace, Socket } from 'socket.io';

export interface Drain {
  /** Events received and not yet acknowledged, on this instance's sockets. */
  inFlight(): number;
  /** Resolves once nothing is in flight (at once if nothing is), or after `timeoutMs`; true if idle. */
  idle(timeoutMs: number): Promise<boolean>;
}

/** `onAck`: each answered event's name and time from receipt to acknowledgement (for metrics). */
export function trackInFlight(namespaces: Pick<Namespace, 'on' | 'name'>[], onAck?: (namespace: string, event: string, seconds: number) => void): Drain {
  let n = 0;
  let waiters: (() => void)[] = [];
  const done = () => {
    n--;
    if (n === 0) for (const w of waiters.splice(0)) w();
  };
  const watch = (namespace: string, socket: Socket) => {
    // One listener per socket: what is still unanswered when it goes away has nobody to answer.
    const pending = new Set<() => void>();
    socket.on('disconnect', () => {
      for (const finish of [...pending]) finish();
    });
    socket.use((packet, next) => {
      const last = packet.length - 1;
      const ack = packet[last] as unknown;
      // Only events some handler listens to: nobody answers any other (a client's made-up name), and
      // counting it would hold the drain until the socket goes.
      if (last > 0 && typeof ack === 'function' && socket.listeners(String(packet[0])).length > 0) {
        const finish = () => {
          if (pending.delete(finish)) done();
        };
        pending.add(finish);
        n++;
        const event = String(packet[0]);
        const t0 = process.hrtime.bigint();
        packet[last] = (...args: unknown[]) => {
          // Only handlers answer, so only the events this server handles get here (labels stay bounded).
          if (onAck && pending.has(finish)) onAck(namespace, event, Number(process.hrtime.bigint() - t0) / 1e9);
          finish();
          (ack as (...a: unknown[]) => void)(...args);
        };
      }
      next();
    });
  };
  for (const ns of namespaces) ns.on('connection', (socket: Socket) => watch(ns.name.replace(/^\//, ''), socket));
  return {
    inFlight: () => n,
    idle: (timeoutMs) =>
      n === 0
        ? Promise.resolve(true)
        : new Promise<boolean>((resolve) => {
            const t = setTimeout(() => {
              waiters = waiters.filter((w) => w !== ok);
              resolve(false);
            }, timeoutMs);
            const ok = () => {
              clearTimeout(t);
              resolve(true);
            };
            waiters.push(ok);
          }),
  };
}
