import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, inArray, isNull } from 'drizzle-orm';
import { hash, verify } from '@node-rs/argon2';
import type { Language, StaffProfile, StaffRole, Topic } from '@helpline/shared';
import type { Db } from '../db/client.js';
import { AppError } from '../http/errors.js';
import { systemClock, type Clock } from '../infra/clock.js';
import { staffSessions, staffUsers } from './tables.js';

export const SESSION_COOKIE = 'hl_session';

export function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

// algorithm 2 = Argon2id (a const enum in the typings, so written as its value).
const ARGON = { algorithm: 2 as const, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
// Verifying against a dummy hash when the e-mail is unknown keeps login time independent of it.
let dummyHash: Promise<string> | null = null;

export type StaffRow = typeof staffUsers.$inferSelect;

export function toProfile(u: StaffRow): StaffProfile {
  return { id: u.id, email: u.email, name: u.name, role: u.role, languages: u.languages, topics: u.topics, capacity: u.capacity, language: u.language ?? null };
}

export interface Session {
  staff: StaffProfile;
  tokenHash: string;
  csrfToken: string;
  expiresAt: Date;
}

export function createAuthService(db: Db, opts: { sessionTtlMs: number; defaultCapacity: number }, clock: Clock = systemClock) {
  return {
    async createUser(input: { email: string; name: string; role: StaffRole; password: string; languages?: Language[]; topics?: Topic[]; capacity?: number }): Promise<StaffProfile> {
      if (input.password.length < 10) throw new AppError('invalid_payload', 'Password must have at least 10 characters');
      const email = input.email.trim().toLowerCase();
      const existing = await db.select({ id: staffUsers.id }).from(staffUsers).where(eq(staffUsers.email, email));
      if (existing.length) throw new AppError('conflict', 'A user with this e-mail exists');
      const [row] = await db
        .insert(staffUsers)
        .values({
          email,
          name: input.name.trim(),
          role: input.role,
          passwordHash: await hash(input.password, ARGON),
          languages: input.languages ?? ['bg', 'en'],
          topics: input.topics ?? [],
          capacity: input.capacity ?? opts.defaultCapacity,
        })
        .returning();
      return toProfile(row!);
    },

    async listUsers(): Promise<(StaffProfile & { disabled: boolean })[]> {
      const rows = await db.select().from(staffUsers).orderBy(staffUsers.email);
      return rows.map((r) => ({ ...toProfile(r), disabled: r.disabledAt !== null }));
    },

    /** The console language a staff member chose for themself (kept across sessions and devices). */
    async setLanguage(staffId: string, language: Language): Promise<StaffProfile> {
      const [u] = await db.update(staffUsers).set({ language }).where(eq(staffUsers.id, staffId)).returning();
      if (!u) throw new AppError('not_found', 'Unknown staff member');
      return toProfile(u);
    },

    async countUsers(): Promise<number> {
      return (await db.select({ id: staffUsers.id }).from(staffUsers).limit(1)).length;
    },

    /** A new password chosen by an admin (a forgotten one, a suspected leak); the caller ends the sessions. */
    async setPassword(staffId: string, password: string): Promise<void> {
      if (password.length < 10) throw new AppError('invalid_payload', 'Password must have at least 10 characters');
      const [u] = await db.update(staffUsers).set({ passwordHash: await hash(password, ARGON) }).where(eq(staffUsers.id, staffId)).returning({ id: staffUsers.id });
      if (!u) throw new AppError('not_found', 'No such user');
    },

    /** Disable an account and revoke all its sessions at once. */
    async disableUser(email: string): Promise<void> {
      const [u] = await db
        .update(staffUsers)
        .set({ disabledAt: new Date() })
        .where(eq(staffUsers.email, email.trim().toLowerCase()))
        .returning({ id: staffUsers.id });
      if (!u) throw new AppError('not_found', 'No such user');
      await db.update(staffSessions).set({ revokedAt: new Date() }).where(and(eq(staffSessions.staffId, u.id), isNull(staffSessions.revokedAt)));
    },

    async login(email: string, password: string): Promise<{ token: string; session: Session }> {
      const [u] = await db.select().from(staffUsers).where(eq(staffUsers.email, email.trim().toLowerCase()));
      if (!u || u.disabledAt) {
        dummyHash ??= hash('not-a-real-password', ARGON);
        await verify(await dummyHash, password).catch(() => false);
        throw new AppError('unauthorized', 'Wrong e-mail or password');
      }
      const ok = await verify(u.passwordHash, password).catch(() => false);
      if (!ok) throw new AppError('unauthorized', 'Wrong e-mail or password');
      const token = randomToken();
      const csrfToken = randomToken(18);
      const expiresAt = new Date(Date.now() + opts.sessionTtlMs);
      await db.insert(staffSessions).values({ tokenHash: sha256(token), staffId: u.id, csrfToken, expiresAt });
      return { token, session: { staff: toProfile(u), tokenHash: sha256(token), csrfToken, expiresAt } };
    },

    /** The live session of a cookie token, or null (expired, revoked, disabled account). */
    async sessionFor(token: string | undefined): Promise<Session | null> {
      if (!token || token.length > 200) return null;
      const tokenHash = sha256(token);
      const [row] = await db
        .select({ s: staffSessions, u: staffUsers })
        .from(staffSessions)
        .innerJoin(staffUsers, eq(staffUsers.id, staffSessions.staffId))
        .where(and(eq(staffSessions.tokenHash, tokenHash), isNull(staffSessions.revokedAt), gt(staffSessions.expiresAt, new Date(clock.now())), isNull(staffUsers.disabledAt)));
      if (!row) return null;
      return { staff: toProfile(row.u), tokenHash, csrfToken: row.s.csrfToken, expiresAt: row.s.expiresAt };
    },

    async revoke(tokenHash: string): Promise<void> {
      await db.update(staffSessions).set({ revokedAt: new Date() }).where(eq(staffSessions.tokenHash, tokenHash));
    },

    /** Display names, read fresh (a rename shows in the next view, on every instance). */
    async staffName(id: string): Promise<string | null> {
      const [u] = await db.select({ name: staffUsers.name }).from(staffUsers).where(eq(staffUsers.id, id));
      return u?.name ?? null;
    },
    async staffNames(ids: string[]): Promise<Map<string, string>> {
      if (!ids.length) return new Map();
      const rows = await db.select({ id: staffUsers.id, name: staffUsers.name }).from(staffUsers).where(inArray(staffUsers.id, ids));
      return new Map(rows.map((r) => [r.id, r.name]));
    },
    /** Of these staff members, the enabled ones who take chats: how many, and their capacity together. */
    async chatCapacity(ids: string[]): Promise<{ counsellors: number; capacity: number }> {
      if (!ids.length) return { counsellors: 0, capacity: 0 };
      const rows = await db
        .select({ capacity: staffUsers.capacity })
        .from(staffUsers)
        .where(and(inArray(staffUsers.id, ids), isNull(staffUsers.disabledAt), inArray(staffUsers.role, ['counsellor', 'supervisor'])));
      return { counsellors: rows.length, capacity: rows.reduce((a, r) => a + r.capacity, 0) };
    },
    /** A staff member's capacity (simultaneous chats), or null when there is no such account. */
    async capacityOf(id: string): Promise<number | null> {
      const [u] = await db.select({ capacity: staffUsers.capacity }).from(staffUsers).where(eq(staffUsers.id, id));
      return u?.capacity ?? null;
    },
    async setCapacity(id: string, capacity: number): Promise<void> {
      await db.update(staffUsers).set({ capacity }).where(eq(staffUsers.id, id));
    },
    /** The profile fields an admin edits (name, role, skills, re-enabling). */
    async updateProfile(id: string, edit: Partial<Pick<StaffRow, 'name' | 'role' | 'languages' | 'topics' | 'disabledAt'>>): Promise<void> {
      if (Object.keys(edit).length) await db.update(staffUsers).set(edit).where(eq(staffUsers.id, id));
    },
    /** Every live session of the account ends (the caller tells the instances: sessionWatch.revoked). */
    async revokeSessions(staffId: string): Promise<void> {
      await db.update(staffSessions).set({ revokedAt: new Date() }).where(and(eq(staffSessions.staffId, staffId), isNull(staffSessions.revokedAt)));
    },

    async getStaff(id: string): Promise<StaffRow | null> {
      const [u] = await db.select().from(staffUsers).where(eq(staffUsers.id, id));
      return u ?? null;
    },
  };
}
export type AuthService = ReturnType<typeof createAuthService>;
