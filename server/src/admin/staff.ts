// Staff accounts as admins manage them, in the console or with `pnpm cli` (through the running
// platform's channel, cli/channel.ts). Creating, listing, disabling and new passwords go through the
// auth service, which owns the accounts' tables; this adds the rules (no self-demotion, sessions end on
// a new role or password, capacity through routing) and the audit.
import type { FastifyInstance } from 'fastify';
import type { Language, StaffAccount, StaffRole, Topic } from '@helpline/shared';
import { AppError } from '../http/errors.js';
import { toProfile } from '../auth/service.js';

/** Who changes an account: an admin in the console, or the command line of the machine. */
export type StaffActor = { type: 'staff'; id: string } | { type: 'system'; via: 'cli' };

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
  const audit = (actor: StaffActor, action: string, targetId: string, meta: Record<string, string | number | boolean | null> = {}) =>
    app.audit.record(
      actor.type === 'staff'
        ? { actorType: 'staff', actorId: actor.id, action, targetType: 'staff', targetId, ...(Object.keys(meta).length ? { meta } : {}) }
        : { actorType: 'system', action, targetType: 'staff', targetId, meta: { ...meta, via: actor.via } },
    );
  const actorId = (actor: StaffActor) => (actor.type === 'staff' ? actor.id : null);

  /** Sessions end and live sockets close on every instance, so a new role or a disabled account takes effect at once. */
  async function endSessions(staffId: string): Promise<void> {
    await app.auth.revokeSessions(staffId);
    await app.sessionWatch.revoked({ staffId });
  }

  const admin = {
    list: (): Promise<StaffAccount[]> => app.auth.listUsers(),

    async create(actor: StaffActor, input: { email: string; name: string; role: StaffRole; password: string; languages?: Language[]; topics?: Topic[]; capacity?: number }): Promise<StaffAccount> {
      const p = await app.auth.createUser(input);
      await audit(actor, 'staff.create', p.id, { role: p.role });
      return { ...p, disabled: false };
    },

    /** The CLI names accounts by e-mail. */
    async disableByEmail(actor: StaffActor, email: string): Promise<StaffAccount> {
      const u = (await app.auth.listUsers()).find((x) => x.email === email.trim().toLowerCase());
      if (!u) throw new AppError('not_found', 'No such user');
      return admin.update(actor, u.id, { disabled: true });
    },

    async update(actor: StaffActor, id: string, edit: StaffEdit): Promise<StaffAccount> {
      const before = await app.auth.getStaff(id);
      if (!before) throw new AppError('not_found', 'No such user');
      if (id === actorId(actor) && (edit.disabled === true || (edit.role && edit.role !== 'admin'))) {
        throw new AppError('invalid_payload', 'You cannot disable yourself or remove your own admin role');
      }
      await app.auth.updateProfile(id, {
        ...(edit.name !== undefined ? { name: edit.name } : {}),
        ...(edit.role !== undefined ? { role: edit.role } : {}),
        ...(edit.languages !== undefined ? { languages: edit.languages } : {}),
        ...(edit.topics !== undefined ? { topics: edit.topics } : {}),
        ...(edit.disabled === false ? { disabledAt: null } : {}),
      });
      if (edit.password !== undefined) {
        await app.auth.setPassword(id, edit.password);
        await audit(actor, 'staff.password_reset', id);
      }
      // Capacity through routing: it re-offers at once when capacity grows.
      if (edit.capacity !== undefined && edit.capacity !== before.capacity) await app.router.setCapacity(id, edit.capacity, actorId(actor));
      if (edit.disabled === true && !before.disabledAt) {
        await app.auth.disableUser(before.email);
        await endSessions(id);
        // Nothing new for a disabled account; its open chats are released by the disconnect grace.
        if (before.role === 'counsellor' || before.role === 'supervisor') await app.router.setStatus(id, 'offline', { staffId: actorId(actor) });
      } else if ((edit.role !== undefined && edit.role !== before.role) || edit.password !== undefined) {
        // A new role or a new password: signed out everywhere, to sign in again.
        await endSessions(id);
      }
      const changed = Object.keys(edit).join(',');
      await audit(actor, 'staff.update', id, { fields: changed, ...(edit.role ? { role: edit.role } : {}), ...(edit.disabled !== undefined ? { disabled: edit.disabled } : {}) });
      const after = await app.auth.getStaff(id);
      await app.supervision.touch();
      return { ...toProfile(after!), disabled: after!.disabledAt !== null };
    },
  };
  return admin;
}
export type StaffAdmin = ReturnType<typeof createStaffAdmin>;
