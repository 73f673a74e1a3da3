// Connection state recovery for the adapter (Socket.IO's `connectionStateRecovery` option; the platform
// does not enable it: its clients resume by message seq from Postgres). As in
// @socket.io/redis-streams-adapter: a disconnected socket's session (id, rooms, data) is kept in Redis for
// maxDisconnectionDuration, and the packets it missed are read back from the stream.
//
// The differences come from ours writing one entry per turn: a packet's offset is its entry's id and its
// index in the entry ("1700000000000-0:3"), and, with recovery on, every instance delivers its own
// broadcasts when its reader reaches them, so each socket gets packets in stream order and the offset
// it holds says exactly what it has. Missed packets are read up to where this instance's reader has
// delivered (after waiting for it to reach the client's offset, which may come from another instance);
// the reader delivers the rest to the restored socket, which is in its rooms by then (socket.io joins
// them synchronously after restoreSession resolves). The offset's entry must still be in the stream,
// checked in the same MULTI as each page read: trimming starts at the oldest entry, so if it is there,
// nothing after it is missing. A restore that cannot be exact fails, and the client gets a new session.
import type { Redis } from 'ioredis';
import { MessageType, type ClusterMessage, type Session } from 'socket.io-adapter';
import { decodeEntry, decodeSession, encodeSession } from './encoding.js';
import { compareIds, STREAM_ID, type StreamReader } from './stream-reader.js';

const OFFSET = /^(\d+-\d+):(\d+)$/;
const PAGE = 500;
const MAX_PAGES = 100;
/** How long a restore waits for this instance's reader to reach the client's offset. */
const READER_WAIT_MS = 2000;

export const packetOffset = (entryId: string, index: number) => `${entryId}:${index}`;

export interface RecoveryContext {
  pub: Redis;
  stream: string;
  sessionKey(pid: string): string;
  nsp: string;
  reader: StreamReader;
}

interface PacketLike {
  type: number;
  id?: number;
  data: unknown[];
}
interface EncodedOpts {
  rooms: string[];
  except: string[];
  flags?: { volatile?: boolean };
}

/** The packets socket.io gives an offset to (ClusterAdapter.addOffsetIfNecessary): events, no ack, not volatile. */
export function recordable(packet: PacketLike, flags: { volatile?: boolean } | undefined): boolean {
  return packet.type === 2 && packet.id === undefined && flags?.volatile === undefined;
}

function included(rooms: string[], opts: EncodedOpts): boolean {
  const inRooms = opts.rooms.length === 0 || rooms.some((r) => opts.rooms.includes(r));
  return inRooms && rooms.every((r) => !opts.except.includes(r));
}

export function persistSession(ctx: RecoveryContext, session: { pid: string }, ttlMs: number): void {
  void ctx.pub.set(ctx.sessionKey(session.pid), encodeSession(session), 'PX', ttlMs).catch(() => {});
}

export async function restoreSession(ctx: RecoveryContext, pid: string, offset: string): Promise<Session> {
  const m = OFFSET.exec(offset);
  if (!m || !STREAM_ID.test(m[1]!)) throw new Error('invalid offset');
  const entryId = m[1]!;
  const index = Number(m[2]);
  const [raw, at] = await Promise.all([ctx.pub.getdelBuffer(ctx.sessionKey(pid)), ctx.pub.xrange(ctx.stream, entryId, entryId)]);
  if (!raw || !at.length) throw new Error('session or offset not found');
  const session = decodeSession(raw) as Session;
  if (!(await ctx.reader.reached(entryId, READER_WAIT_MS))) throw new Error('this instance has not read up to the offset yet');
  session.missedPackets = [];
  let cursor = entryId;
  let first = true;
  for (let page = 0; first || compareIds(cursor, ctx.reader.position()) < 0; page++) {
    if (page >= MAX_PAGES) throw new Error('too far behind');
    const res = await ctx.pub
      .multi()
      .xrange(ctx.stream, entryId, entryId)
      .xrangeBuffer(ctx.stream, first ? entryId : `(${cursor}`, '+', 'COUNT', PAGE)
      .exec();
    const [[offsetErr, offsetEntry] = [], [pageErr, entries] = []] = res ?? [];
    if (offsetErr || pageErr || !(offsetEntry as unknown[] | undefined)?.length) throw new Error('the offset was trimmed meanwhile');
    const upTo = ctx.reader.position();
    const list = (entries ?? []) as [Buffer, Buffer[]][];
    let behind = false;
    for (const [idBuf, fields] of list) {
      const id = idBuf.toString();
      if (compareIds(id, upTo) > 0) {
        behind = true;
        break;
      }
      cursor = id;
      collect(session, ctx.nsp, id, decodeEntry(fields) ?? [], id === entryId ? index : -1);
    }
    first = false;
    // Otherwise go on while the reader is ahead of what was collected (it may have read entries
    // appended after this page was read): the loop condition is checked with no await in between.
    if (behind) break;
  }
  return session;
}

function collect(session: Session, nsp: string, id: string, messages: ClusterMessage[], after: number): void {
  messages.forEach((msg, i) => {
    if (i <= after || msg.nsp !== nsp || msg.type !== MessageType.BROADCAST || msg.data.requestId !== undefined) return;
    const packet = msg.data.packet as PacketLike;
    const opts = msg.data.opts as EncodedOpts;
    if (!recordable(packet, opts.flags) || !included(session.rooms, opts)) return;
    packet.data.push(packetOffset(id, i));
    session.missedPackets.push(packet.data);
  });
}
