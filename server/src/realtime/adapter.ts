// The cross-instance adapter: @socket.io/redis-streams-adapter, delivering to this instance's own
// sockets first. The stock cluster adapter awaits the XADD's answer before it writes to any local
// socket (it needs the stream offset only for connection state recovery, which this server does not
// use), so every offer and message to a socket on the same instance waited a Redis round trip. Here the
// entry is appended in the same turn (ioredis keeps order per connection, so other instances still see
// this instance's packets in emit order) and local sockets are written at once.
import type { Redis } from 'ioredis';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Adapter, MessageType, type BroadcastOptions } from 'socket.io-adapter';
import type { Namespace } from 'socket.io';

type StreamsOptions = NonNullable<Parameters<typeof createAdapter>[1]>;

interface Publishing {
  publishAndReturnOffset(message: { type: MessageType; data: unknown }): Promise<string>;
}

export function localFirstAdapter(redis: Redis, opts: StreamsOptions): (nsp: Namespace) => Adapter {
  const make = createAdapter(redis, opts) as unknown as (nsp: Namespace) => Adapter;
  // Socket.IO calls it with `new`: a plain function that returns the adapter.
  return function localFirst(nsp: Namespace): Adapter {
    const adapter = make(nsp);
    adapter.broadcast = (packet: unknown, options: BroadcastOptions): void => {
      if (!options.flags?.local) {
        const message = {
          type: MessageType.BROADCAST,
          data: { packet, opts: { rooms: [...options.rooms], except: [...(options.except ?? [])], flags: options.flags } },
        };
        // A failed append (Redis down) loses the packet for other instances' sockets only, as with the
        // stock adapter, which also still delivers locally.
        (adapter as unknown as Publishing).publishAndReturnOffset(message).catch(() => {});
      }
      Adapter.prototype.broadcast.call(adapter, packet, options);
    };
    return adapter;
  };
}
