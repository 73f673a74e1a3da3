// The load generator's client for `pnpm bench messages`: the Socket.IO protocol (engine.io 4 over a
// WebSocket, one namespace per socket) spoken directly on `ws`, for both the platform and the relay.
// socket.io-client spends ~3 times as much CPU per packet (an emitter per event, its own decoder, timers
// per ack), and at ~13,000 messages/s it saturated this process's core: the relay's figure then measured
// the client. The packets on the wire are the same as socket.io-client's (text frames, `42<nsp>,<id>[…]`
// for an event with an ack, `43…` for its answer, `2`/`3` ping-pong, `40`/`44` namespace connect), so
// the servers do exactly the work they do for a real browser.
import WebSocket from 'ws';

type Handler = (payload: any) => void;

export interface BenchSocket {
  on(event: string, fn: Handler): void;
  /** `ack` is called with the server's first acknowledgement argument. */
  emit(event: string, payload: unknown, ack?: (r: any) => void): void;
  disconnect(): void;
}

class RawSocket implements BenchSocket {
  private handlers = new Map<string, Handler[]>();
  private acks = new Map<number, (r: any) => void>();
  private nextAck = 0;
  private readonly prefix: string;
  constructor(
    private readonly ws: WebSocket,
    readonly nsp: string,
  ) {
    this.prefix = nsp === '/' ? '' : `${nsp},`;
  }

  on(event: string, fn: Handler): void {
    const list = this.handlers.get(event);
    if (list) list.push(fn);
    else this.handlers.set(event, [fn]);
  }

  emit(event: string, payload: unknown, ack?: (r: any) => void): void {
    let id = '';
    if (ack) {
      const n = this.nextAck++;
      this.acks.set(n, ack);
      id = String(n);
    }
    this.ws.send(`42${this.prefix}${id}${JSON.stringify([event, payload])}`);
  }

  disconnect(): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(`41${this.prefix}`);
    this.ws.close();
  }

  /** One engine.io packet, already known to be a Socket.IO message (`4…`) of this namespace. */
  onPacket(text: string): void {
    const type = text.charCodeAt(1);
    let i = 2 + this.prefix.length;
    let id = -1;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      id = (id < 0 ? 0 : id * 10) + (c - 48);
      i++;
    }
    const args = JSON.parse(text.slice(i)) as unknown[];
    if (type === 51 /* '3': ack */) {
      const cb = this.acks.get(id);
      if (cb) {
        this.acks.delete(id);
        cb(args[0]);
      }
    } else if (type === 50 /* '2': event */) {
      const list = this.handlers.get(args[0] as string);
      if (list) for (const fn of list) fn(args[1]);
    }
  }
}

/** Connects one socket to `url` + namespace (e.g. http://127.0.0.1:3000/widget), as the browser would. */
export function rawConnect(url: string, opts: { headers?: Record<string, string>; auth?: Record<string, unknown> } = {}): Promise<BenchSocket> {
  const u = new URL(url);
  const nsp = u.pathname === '' ? '/' : u.pathname;
  const ws = new WebSocket(`ws://${u.host}/socket.io/?EIO=4&transport=websocket`, { headers: opts.headers ?? {}, perMessageDeflate: false });
  const socket = new RawSocket(ws, nsp);
  const prefix = nsp === '/' ? '' : `${nsp},`;
  return new Promise((resolve, reject) => {
    let connected = false;
    ws.on('error', (err) => {
      if (!connected) reject(err);
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) return;
      const text = data.toString();
      const c = text.charCodeAt(0);
      if (c === 50 /* '2': ping */) return ws.send('3');
      if (c === 48 /* '0': open */) return ws.send(`40${prefix}${opts.auth ? JSON.stringify(opts.auth) : ''}`);
      if (c !== 52 /* '4': message */) return;
      if (!connected) {
        if (text.startsWith(`40${prefix}`)) {
          connected = true;
          resolve(socket);
        } else if (text.startsWith(`44${prefix}`)) reject(new Error(`connect refused: ${text.slice(2 + prefix.length)}`));
        return;
      }
      socket.onPacket(text);
    });
  });
}
