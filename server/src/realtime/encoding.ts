// How the adapter's messages travel: JSON when they carry no binary data (every packet of this platform),
// msgpack when they do, as @socket.io/redis-streams-adapter does (same package, @msgpack/msgpack ~2.8.0).
// JSON would turn a Buffer into {type: 'Buffer', data: [...]} on the other instances. msgpack keeps it,
// and decoded from a Buffer it gives Buffers back (subarrays of the input), as senders emitted them.
// The cheap path stays JSON.stringify: only a walk over the message (the one socket.io's own encoder
// already does on every packet) decides, and only for the message types that may carry user data.
import { decode, encode } from '@msgpack/msgpack';
import { MessageType, type ClusterMessage, type ClusterResponse } from 'socket.io-adapter';

/** As socket.io-parser's hasBinary: an ArrayBuffer or a view anywhere, also behind toJSON(). */
export function hasBinary(obj: unknown, toJSON = false): boolean {
  if (!obj || typeof obj !== 'object') return false;
  if (obj instanceof ArrayBuffer || ArrayBuffer.isView(obj)) return true;
  if (Array.isArray(obj)) {
    for (const v of obj) if (hasBinary(v)) return true;
    return false;
  }
  const o = obj as Record<string, unknown>;
  for (const key in o) if (Object.prototype.hasOwnProperty.call(o, key) && hasBinary(o[key])) return true;
  if (!toJSON && typeof o.toJSON === 'function') return hasBinary((o.toJSON as () => unknown)(), true);
  return false;
}

const MAY_CARRY_BINARY = new Set<MessageType>([
  MessageType.BROADCAST,
  MessageType.FETCH_SOCKETS_RESPONSE,
  MessageType.SERVER_SIDE_EMIT,
  MessageType.SERVER_SIDE_EMIT_RESPONSE,
  MessageType.BROADCAST_ACK,
]);

function carriesBinary(m: ClusterMessage | ClusterResponse): boolean {
  return MAY_CARRY_BINARY.has(m.type) && 'data' in m && hasBinary(m.data);
}

const toBuffer = (u8: Uint8Array) => Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);

/** The field of a stream entry that holds a turn's messages: `b` (JSON) or `p` (msgpack). */
export function encodeEntry(messages: ClusterMessage[]): ['b', string] | ['p', Buffer] {
  for (const m of messages) if (carriesBinary(m)) return ['p', toBuffer(encode(messages))];
  return ['b', JSON.stringify(messages)];
}

/** The messages of an entry (fields as XREAD returns them), or null for an entry of something else. */
export function decodeEntry(fields: Buffer[]): ClusterMessage[] | null {
  for (let k = 0; k + 1 < fields.length; k += 2) {
    const name = fields[k]!;
    if (name.length !== 1) continue;
    if (name[0] === 0x62 /* b */) return JSON.parse(fields[k + 1]!.toString()) as ClusterMessage[];
    if (name[0] === 0x70 /* p */) return decode(fields[k + 1]!) as ClusterMessage[];
  }
  return null;
}

/** A pub/sub payload: a JSON string, or msgpack bytes (never starting with `{`: a msgpack map starts 0x80-0x8f or 0xde-0xdf). */
export function encodePublished(m: ClusterMessage | ClusterResponse): string | Buffer {
  return carriesBinary(m) ? toBuffer(encode(m)) : JSON.stringify(m);
}

export function decodePublished(payload: Buffer): ClusterMessage | ClusterResponse {
  return (payload[0] === 0x7b ? JSON.parse(payload.toString()) : decode(payload)) as ClusterMessage | ClusterResponse;
}

export function encodeSession(session: unknown): Buffer {
  return toBuffer(encode(session));
}

export function decodeSession(raw: Buffer): unknown {
  return decode(raw);
}
