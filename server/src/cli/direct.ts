// `pnpm cli` on a real Postgres (DATABASE_URL and REDIS_URL set): Postgres serves any number of clients,
// so the CLI writes the record itself, then tells the running instances on Redis that the sessions it
// revoked are over, so they end those sockets at once (auth/socket-sessions.ts). Should Redis be out of
// reach, each instance's session check ends them within SESSION_RECHECK_MS.
import { Redis } from 'ioredis';
import type { Config } from '../config.js';
import { openDatabase } from '../db/client.js';
import { createAuthService } from '../auth/service.js';
import { createAuditService } from '../audit/service.js';
import { publishRevocation } from '../auth/socket-sessions.js';
import { AppError } from '../http/errors.js';
import type { StaffOps } from './commands.js';

export async function directOps(config: Config & { DATABASE_URL: string; REDIS_URL: string }, warn: (line: string) => void): Promise<StaffOps> {
  const database = await openDatabase({ url: config.DATABASE_URL, poolSize: 2 });
  const auth = createAuthService(database.db, { sessionTtlMs: config.SESSION_TTL_MS, defaultCapacity: config.DEFAULT_CAPACITY });
  const audit = createAuditService(database.db);
  const cli = { actorType: 'system' as const, targetType: 'staff', meta: { via: 'cli' } };
  return {
    list: () => auth.listUsers(),
    async add(input) {
      const user = await auth.createUser(input);
      await audit.record({ ...cli, action: 'staff.create', targetId: user.id, meta: { via: 'cli', role: user.role } });
      return { ...user, disabled: false };
    },
    async disable(email) {
      await auth.disableUser(email);
      const user = (await auth.listUsers()).find((u) => u.email === email.trim().toLowerCase());
      if (!user) throw new AppError('not_found', 'No such user');
      await audit.record({ ...cli, action: 'staff.disable', targetId: user.id });
      const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 3_000, lazyConnect: true });
      redis.on('error', () => {});
      try {
        await redis.connect();
        await publishRevocation(redis, config.REDIS_PREFIX, { staffId: user.id });
      } catch {
        warn(`Redis did not answer: the running instances end ${user.email}'s open sockets at their next session check (within ${Math.round(config.SESSION_RECHECK_MS / 1000)} s).`);
      } finally {
        redis.disconnect();
      }
      return user;
    },
    close: () => database.close(),
  };
}
