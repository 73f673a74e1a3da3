// GET /api/staff/counsellors: who can take a conversation now (for choosing a transfer target).
// Read-only; composed from the auth and routing services.
import type { FastifyInstance } from 'fastify';
import type { StaffDirectoryEntry } from '@helpline/shared';
import { requireStaff } from '../auth/guard.js';

export async function staffDirectoryRoutes(app: FastifyInstance): Promise<void> {
  app.get('/api/staff/counsellors', { preHandler: requireStaff('counsellor', 'supervisor', 'admin') }, async () => {
    const users = (await app.auth.listUsers()).filter((u) => !u.disabled && (u.role === 'counsellor' || u.role === 'supervisor'));
    const staff: StaffDirectoryEntry[] = await Promise.all(
      users.map(async (u) => {
        const s = await app.router.agentState(u.id);
        return { id: u.id, name: u.name, role: u.role, status: s.status, load: s.load, capacity: s.capacity, languages: u.languages };
      }),
    );
    staff.sort((a, b) => Number(b.status === 'available') - Number(a.status === 'available') || a.name.localeCompare(b.name));
    // The dialog's "Queue for <name>" says how long the conversation waits for her alone.
    return { staff, reserveMinutes: Math.max(1, Math.round(app.config.TRANSFER_RESERVE_MS / 60_000)) };
  });
}
