// What the server itself parsed during the fuzz run, counted at its own parse steps rather than at the
// client (a frame the client wrote may never be read: the server drops what follows a fatal frame):
// - engine.io: every packet an engine.io socket accepted from its transport, parse errors included
//   (engine.io emits 'packet' for each one before acting on it, and stops once the socket is closing);
// - socket.io: a counting Decoder in place of socket.io-parser's. socket.io builds one decoder per
//   connection from `io._parser` (socket.io/dist/client.js), so connections made after `watch()` use it;
//   it delegates to the real Decoder and counts each chunk handed to it, each packet it produced and
//   each chunk it threw on (a rejected chunk reached the parser too);
// - HTTP: Fastify's onRequest (a request received), preParsing (a body handed to the body parser) and
//   preValidation (a body the parser accepted) hooks, added before the app listens.
// The production server is unchanged: only listeners are added and the decoder delegates.
import type { FastifyInstance } from 'fastify';

export type Surface = 'events' | 'raw' | 'polling' | 'http';
const SURFACES: Surface[] = ['events', 'raw', 'polling', 'http'];

export interface SurfaceCounts {
  connections: number;
  /** Packets engine.io decoded on this surface's connections. */
  enginePackets: number;
  /** Of those, packets engine.io could not parse (an invalid packet type). */
  engineErrors: number;
  /** Chunks handed to socket.io's decoder. */
  decoderInputs: number;
  /** socket.io packets it produced, and of them events (a client's emit). */
  decoded: number;
  decodedEvents: number;
  /** Chunks it threw on. */
  rejected: number;
  /** Why the server closed this surface's connections. */
  closeReasons: Record<string, number>;
  httpRequests: number;
  httpBodiesToParser: number;
  httpBodiesParsed: number;
}

/** Per frame of a known list, on the 'raw' surface's connections: how often the server's parsers met it. */
export interface FrameCounts {
  /** engine.io decoded this exact frame (errors are attributed per session, see `errorsBySid`). */
  engine: number;
  /** socket.io's decoder was handed its payload. */
  decoderInputs: number;
  /** A packet headed by this frame was produced (after its attachments, for a binary packet). */
  decoded: number;
  /** The decoder threw on this frame or on an attachment of the packet it heads. */
  rejected: number;
}

const ENGINE_TYPES: Record<string, string> = { open: '0', close: '1', ping: '2', pong: '3', message: '4', upgrade: '5', noop: '6' };
/** The key of an engine.io parse error: engine.io makes every invalid frame the same error packet. */
export const ENGINE_ERROR = 'E';

/** The key under which a frame is counted once engine.io has decoded it (what the server made of it). */
export function frameKey(frame: string | Buffer): string {
  if (Buffer.isBuffer(frame)) return `B${frame.toString('hex')}`;
  return Object.values(ENGINE_TYPES).includes(frame.charAt(0)) ? `S${frame}` : ENGINE_ERROR;
}
function packetKey(p: { type: string; data?: unknown }): string {
  if (Buffer.isBuffer(p.data)) return `B${p.data.toString('hex')}`;
  return `S${ENGINE_TYPES[p.type] ?? '?'}${typeof p.data === 'string' ? p.data : ''}`;
}

export interface ServerCounts {
  /** The surface new connections and requests are counted under from now on. */
  surface: Surface;
  bySurface: Record<Surface, SurfaceCounts>;
  /** Counts per frame of `frames` (the index into it). */
  frames: FrameCounts[];
  /** engine.io parse errors per engine.io session id (the raw client knows which frame it sent there). */
  errorsBySid: Map<string, number>;
  /** Close reason per engine.io session id. */
  closeBySid: Map<string, string>;
}

const EVENT = 2;
const BINARY_EVENT = 5;

/**
 * Counts what the app parses, per surface and per frame of `frames`. Call `watchSockets` once the
 * realtime server exists (before any connection) and `watchHttp` before the app listens.
 */
export function createServerCounts(frames: readonly (string | Buffer)[]): ServerCounts & { watch(app: FastifyInstance): void } {
  const blank = (): SurfaceCounts => ({
    connections: 0, enginePackets: 0, engineErrors: 0, decoderInputs: 0, decoded: 0, decodedEvents: 0, rejected: 0, closeReasons: {}, httpRequests: 0, httpBodiesToParser: 0, httpBodiesParsed: 0,
  });
  const bySurface = Object.fromEntries(SURFACES.map((s) => [s, blank()])) as Record<Surface, SurfaceCounts>;
  const perFrame: FrameCounts[] = frames.map(() => ({ engine: 0, decoderInputs: 0, decoded: 0, rejected: 0 }));
  // Engine keys of the frames, and socket.io decoder keys (a message frame's payload after its '4').
  const engineIndex = new Map<string, number>();
  const decoderIndex = new Map<string, number>();
  frames.forEach((f, i) => {
    const k = frameKey(f);
    if (k !== ENGINE_ERROR) engineIndex.set(k, i);
    if (Buffer.isBuffer(f)) decoderIndex.set(k, i);
    else if (f.charAt(0) === '4') decoderIndex.set(`S${f.slice(1)}`, i);
  });
  const counts = { surface: 'events' as Surface, bySurface, frames: perFrame, errorsBySid: new Map<string, number>(), closeBySid: new Map<string, string>() };

  function watch(app: FastifyInstance): void {
    const io = app.realtime.io;
    const real = io._parser;
    class CountingDecoder extends real.Decoder {
      private readonly c = bySurface[counts.surface];
      private readonly index = counts.surface === 'raw' ? decoderIndex : new Map<string, number>();
      /** The frame heading a binary packet whose attachments are still to come. */
      private head = -1;
      private current = -1;
      constructor(opts?: ConstructorParameters<typeof real.Decoder>[0]) {
        super(opts);
        // Registered before socket.io's own listener, so it runs first, inside the add() that decoded.
        this.on('decoded', (p: { type: number }) => {
          this.c.decoded++;
          if (p.type === EVENT || p.type === BINARY_EVENT) this.c.decodedEvents++;
          if (this.current >= 0) perFrame[this.current]!.decoded++;
        });
      }
      override add(chunk: unknown): void {
        this.c.decoderInputs++;
        const own = this.index.size === 0 ? -1 : (this.index.get(typeof chunk === 'string' ? `S${chunk}` : Buffer.isBuffer(chunk) ? `B${chunk.toString('hex')}` : '') ?? -1);
        if (own >= 0) perFrame[own]!.decoderInputs++;
        const binary = typeof chunk !== 'string';
        this.current = binary && this.head >= 0 ? this.head : own;
        let produced = false;
        const onDecoded = () => (produced = true);
        this.once('decoded', onDecoded);
        try {
          super.add(chunk as string);
        } catch (err) {
          this.c.rejected++;
          if (this.current >= 0) perFrame[this.current]!.rejected++;
          this.head = -1;
          throw err;
        } finally {
          this.off('decoded', onDecoded);
        }
        // A binary packet's head decodes to nothing yet: its attachments follow.
        if (!binary && !produced) this.head = own;
        else if (produced) this.head = -1;
      }
    }
    (io as unknown as { _parser: typeof real })._parser = { ...real, Decoder: CountingDecoder };

    io.engine.on('connection', (conn: EngineSocket) => {
      const c = bySurface[counts.surface];
      const index = counts.surface === 'raw' ? engineIndex : new Map<string, number>();
      c.connections++;
      conn.on('packet', (p) => {
        c.enginePackets++;
        if (p.type === 'error') {
          c.engineErrors++;
          counts.errorsBySid.set(conn.id, (counts.errorsBySid.get(conn.id) ?? 0) + 1);
          return;
        }
        if (index.size === 0) return;
        const i = index.get(packetKey(p));
        if (i !== undefined) perFrame[i]!.engine++;
      });
      conn.once('close', (reason: string) => {
        c.closeReasons[reason] = (c.closeReasons[reason] ?? 0) + 1;
        counts.closeBySid.set(conn.id, reason);
      });
    });

    app.addHook('onRequest', async () => {
      bySurface[counts.surface].httpRequests++;
    });
    app.addHook('preParsing', async (req) => {
      if (req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined) bySurface[counts.surface].httpBodiesToParser++;
    });
    app.addHook('preValidation', async (req) => {
      if (req.body !== undefined) bySurface[counts.surface].httpBodiesParsed++;
    });
  }

  return Object.assign(counts, { watch });
}

interface EngineSocket {
  id: string;
  on(ev: 'packet', fn: (p: { type: string; data?: unknown }) => void): void;
  once(ev: 'close', fn: (reason: string) => void): void;
}
