// Staff accounts as admins manage them. Creating, listing, disabling and new passwords go through the
// auth service; the edits auth has no method for (profile, role, skills, re-enabling) live here, on its
// table.
import { and, eq, isNull } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { Language, StaffAccount, StaffRole, Topic } from '@helpline/shared';
import { AppError } from '../http/errors.js';
import { toProfile } from '../auth/service.js';
import { staffSessions, staffUsers } from '../auth/tables.js';
import { rooms } from '../realtime/server.js';

export interface StaffEdit {
  name?: string;
  role?: StaffRole;
  languages?: Language[];
  topics?: Topic[];
  capacity?: number;
  disabled?: boolean;
  password?: string;
}

export function createStaffAdmin(app: FastifyInstance) {
  const audit = (adminId: string, action: string, targetId: string, meta?: Record<string, string | number | boolean | null>) =>
    app.audit.record({ actorType: 'staff', actorId: adminId, action, targetType: 'staff', targetId, ...(meta ? { meta } : {}) });

  /** Sessions end and live sockets close, so a new role or a disabled account takes effect at once. */
  async function endSessions(staffId: string): Promise<void> {
    await app.db.update(staffSessions).set({ revokedAt: new Date() }).where(and(eq(staffSessions.staffId, staffId), isNull(staffSessions.revokedAt)));
    app.realtime.agent.in(rooms.staff(staffId)).emit('session:ended', { reason: 'revoked' });
    app.realtime.agent.in(rooms.staff(staffId)).disconnectSockets(true);
  }

  return {
    list: (): Promise<StaffAccount[]> => app.auth.listUsers(),

    async create(adminId: string, input: { email: string; name: string; role: StaffRole; password: string; languages?: Language[]; topics?: Topic[]; capacity?: number }): Promise<StaffAccount> {
      const p = await app.auth.createUser(input);
      await audit(adminId, 'staff.create', p.id, { role: p.role });
      return { ...p, disabled: false };
    },

    async update(adminId: string, id: string, edit: StaffEdit): Promise<StaffAccount> {
      const before = await app.auth.getStaff(id);
      if (!before) throw new AppError('not_found', 'No such user');
      if (id === adminId && (edit.disabled === true || (edit.role && edit.role !== 'admin'))) {
        throw new AppError('invalid_payload', 'You cannot disable yourself or remove your own admin role');
      }
      const set: Partial<typeof staffUsers.$inferInsert> = {};
      if (edit.name !== undefined) set.name = edit.name;
      if (edit.role !== undefined) set.role = edit.role;
      if (edit.languages !== undefined) set.languages = edit.languages;
      if (edit.topics !== undefined) set.topics = edit.topics;
      if (edit.disabled === false) set.disabledAt = null;
      if (Object.keys(set).length) await app.db.update(staffUsers).set(set).where(eq(staffUsers.id, id));
      if (edit.password !== undefined) {
        await app.auth.setPassword(id, edit.password);
        await audit(adminId, 'staff.password_reset', id);
      }
      // Capacity through routing: it re-offers at once when capacity grows.
      if (edit.capacity !== undefined && edit.capacity !== before.capacity) await app.router.setCapacity(id, edit.capacity, adminId);
      if (edit.disabled === true && !before.disabledAt) {
        await app.auth.disableUser(before.email);
        await endSessions(id);
        // Nothing new for a disabled account; its open chats are released by the disconnect grace.
        if (before.role === 'counsellor' || before.role === 'supervisor') await app.router.setStatus(id, 'offline', { staffId: adminId });
      } else if ((edit.role !== undefined && edit.role !== before.role) || edit.password !== undefined) {
        // A new role or a new password: signed out everywhere, to sign in again.
        await endSessions(id);
      }
      const changed = Object.keys(edit).join(',');
      await audit(adminId, 'staff.update', id, { fields: changed, ...(edit.role ? { role: edit.role } : {}), ...(edit.disabled !== undefined ? { disabled: edit.disabled } : {}) });
      const after = await app.auth.getStaff(id);
      await app.supervision.touch();
      return { ...toProfile(after!), disabled: after!.disabledAt !== null };
    },
  };
}
export type StaffAdmin = ReturnType<typeof createStaffAdmin>;
