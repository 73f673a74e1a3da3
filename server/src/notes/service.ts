// Internal notes on a conversation: written by the assigned counsellor or a supervisor, read by the same
// people, never shown to the child (they live outside the message sequence).
import { asc, eq } from 'drizzle-orm';
import type { Note, StaffProfile } from '@helpline/shared';
import type { Db } from '../db/client.js';
import { AppError } from '../http/errors.js';
import type { AuditService } from '../audit/service.js';
import type { ConversationService } from '../conversations/service.js';
import { conversationNotes } from '../conversations/tables.js';
import { staffUsers } from '../auth/tables.js';
import { rooms, type Realtime } from '../realtime/server.js';

type Reader = Pick<StaffProfile, 'id' | 'role' | 'name'>;

/** A conversation's notes and whispers, oldest first, with their authors' names (no authorisation here). */
export async function readNotes(db: Db, conversationId: string): Promise<Note[]> {
  const rows = await db
    .select({ n: conversationNotes, name: staffUsers.name })
    .from(conversationNotes)
    .leftJoin(staffUsers, eq(staffUsers.id, conversationNotes.staffId))
    .where(eq(conversationNotes.conversationId, conversationId))
    .orderBy(asc(conversationNotes.id));
  return rows.map(({ n, name }) => ({
    id: n.id,
    conversationId: n.conversationId,
    staffId: n.staffId,
    staffName: name,
    body: n.body,
    createdAt: n.createdAt.toISOString(),
    ...(n.whisper ? { whisper: true } : {}),
  }));
}

export function createNoteService(db: Db, deps: { conversations: ConversationService; audit: AuditService; realtime: Realtime }) {
  /** The assigned counsellor, or a supervisor (admins manage the platform, they do not read cases). */
  async function authorise(staff: Reader, conversationId: string) {
    if (staff.role !== 'counsellor' && staff.role !== 'supervisor') throw new AppError('forbidden', 'Only counsellors and supervisors read notes');
    const c = await deps.conversations.get(conversationId);
    if (staff.role !== 'supervisor' && c.assignedStaffId !== staff.id) throw new AppError('forbidden', 'This conversation is not assigned to you');
    return c;
  }

  return {
    authorise,

    async add(staff: Reader, conversationId: string, body: string): Promise<Note> {
      const c = await authorise(staff, conversationId);
      const [row] = await db.insert(conversationNotes).values({ conversationId, staffId: staff.id, body }).returning();
      await deps.audit.record({ actorType: 'staff', actorId: staff.id, action: 'note.add', targetType: 'conversation', targetId: conversationId, meta: { noteId: row!.id } });
      const note: Note = { id: row!.id, conversationId, staffId: staff.id, staffName: staff.name, body: row!.body, createdAt: row!.createdAt.toISOString() };
      let target = deps.realtime.agent.to(rooms.watch(conversationId)).to(rooms.staff(staff.id));
      if (c.assignedStaffId) target = target.to(rooms.staff(c.assignedStaffId));
      target.emit('note:new', note);
      return note;
    },

    async list(staff: Reader, conversationId: string): Promise<Note[]> {
      await authorise(staff, conversationId);
      const notes = await readNotes(db, conversationId);
      await deps.audit.record({ actorType: 'staff', actorId: staff.id, action: 'notes.read', targetType: 'conversation', targetId: conversationId });
      return notes;
    },
  };
}
export type NoteService = ReturnType<typeof createNoteService>;
