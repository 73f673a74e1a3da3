// Internal notes on a conversation: written by the assigned counsellor or a supervisor, read by the same
// people, never shown to the child (they live outside the message sequence).
import { asc, eq, inArray } from 'drizzle-orm';
import type { Note, StaffProfile } from '@helpline/shared';
import type { Db, DbOrTx } from '../db/client.js';
import { AppError } from '../http/errors.js';
import type { AuditService } from '../audit/service.js';
import type { ConversationService } from '../conversations/service.js';
import { conversationNotes } from './tables.js';
import { rooms, type Realtime } from '../realtime/server.js';

type Reader = Pick<StaffProfile, 'id' | 'role' | 'name'>;

type NoteRow = typeof conversationNotes.$inferSelect;
const toNote = (n: NoteRow, staffName: string | null): Note => ({
  id: n.id,
  conversationId: n.conversationId,
  staffId: n.staffId,
  staffName,
  body: n.body,
  createdAt: n.createdAt.toISOString(),
  ...(n.whisper ? { whisper: true } : {}),
});

export interface NoteDeps {
  conversations: ConversationService;
  audit: AuditService;
  realtime: Realtime;
  /** Authors' names are the staff accounts' (auth's). */
  staffNames(ids: string[]): Promise<Map<string, string>>;
}

export function createNoteService(db: Db, deps: NoteDeps) {
  /** A conversation's notes and whispers, oldest first, with their authors' names (no authorisation here). */
  async function read(conversationId: string): Promise<Note[]> {
    const rows = await db.select().from(conversationNotes).where(eq(conversationNotes.conversationId, conversationId)).orderBy(asc(conversationNotes.id));
    const names = await deps.staffNames([...new Set(rows.map((n) => n.staffId))]);
    return rows.map((n) => toNote(n, names.get(n.staffId) ?? null));
  }

  /** Stores the note and sends it to its author, the assigned counsellor and the watchers. */
  async function store(author: Reader, c: { id: string; assignedStaffId: string | null }, body: string, whisper: boolean): Promise<Note> {
    const [row] = await db.insert(conversationNotes).values({ conversationId: c.id, staffId: author.id, body, whisper }).returning();
    const note = toNote(row!, author.name);
    let target = deps.realtime.agent.to(rooms.watch(c.id)).to(rooms.staff(author.id));
    if (c.assignedStaffId) target = target.to(rooms.staff(c.assignedStaffId));
    target.emit('note:new', note);
    return note;
  }

  /** The assigned counsellor, or a supervisor (admins manage the platform, they do not read cases). */
  async function authorise(staff: Reader, conversationId: string) {
    if (staff.role !== 'counsellor' && staff.role !== 'supervisor') throw new AppError('forbidden', 'Only counsellors and supervisors read notes');
    const c = await deps.conversations.get(conversationId);
    if (staff.role !== 'supervisor' && c.assignedStaffId !== staff.id) throw new AppError('forbidden', 'This conversation is not assigned to you');
    return c;
  }

  return {
    authorise,

    read,

    async add(staff: Reader, conversationId: string, body: string): Promise<Note> {
      const c = await authorise(staff, conversationId);
      const note = await store(staff, c, body, false);
      await deps.audit.record({ actorType: 'staff', actorId: staff.id, action: 'note.add', targetType: 'conversation', targetId: conversationId, meta: { noteId: note.id } });
      return note;
    },

    /** A supervisor's note to the counsellor only (the supervision feature authorises and audits it). */
    whisper: (sup: Reader, c: { id: string; assignedStaffId: string | null }, body: string): Promise<Note> => store(sup, c, body, true),

    /** Retention and erasure: the notes of these conversations go (inside the caller's transaction). */
    async deleteFor(tx: DbOrTx, conversationIds: string[]): Promise<void> {
      if (conversationIds.length) await tx.delete(conversationNotes).where(inArray(conversationNotes.conversationId, conversationIds));
    },

    async list(staff: Reader, conversationId: string): Promise<Note[]> {
      await authorise(staff, conversationId);
      const notes = await read(conversationId);
      await deps.audit.record({ actorType: 'staff', actorId: staff.id, action: 'notes.read', targetType: 'conversation', targetId: conversationId });
      return notes;
    },
  };
}
export type NoteService = ReturnType<typeof createNoteService>;
