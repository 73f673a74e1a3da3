// `pnpm start`: load the configuration, build the app, listen, and shut down cleanly on SIGINT/SIGTERM.
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { MissingRedisError } from './infra/redis.js';
import { RedisPolicyError } from './infra/redis-policy.js';
import { DataDirInUseError } from './infra/data-dir.js';
import { seedDemoAccounts } from './seed/demo.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  let app;
  try {
    app = await buildApp(config);
  } catch (err) {
    if (err instanceof MissingRedisError || err instanceof RedisPolicyError || err instanceof DataDirInUseError || err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const demo = config.demoAccounts ? await seedDemoAccounts(app) : null;
  await app.listen({ port: config.PORT, host: config.HOST });

  const base = config.publicUrl;
  const lines = [
    '',
    `Helpline platform running (${config.embedded.postgres ? 'embedded PGlite' : 'Postgres'}, ${config.embedded.redis ? 'private redis-server' : 'Redis'})`,
    `  Console:       ${base}/console`,
    `  Demo website:  ${base}/demo`,
    `  Widget script: ${base}/widget.js`,
    `  Report form:   ${base}/report`,
  ];
  if (config.embedded.redis) lines.push(`  Private Redis: ${app.redis.url} (data in ${config.DATA_DIR}/redis)`);
  if (demo) {
    lines.push('', 'Demo accounts (shown once; this database is new):');
    for (const a of demo) lines.push(`  ${a.role.padEnd(11)} ${a.email.padEnd(32)} ${a.password}`);
  }
  console.log(lines.join('\n') + '\n');

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      app.log.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.SHUTDOWN_GRACE_MS + 5_000);
    force.unref();
    app
      .close()
      .then(() => process.exit(0))
      .catch((err) => {
        app.log.error({ err: (err as Error).message }, 'error during shutdown');
        process.exit(1);
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err) => {
  console.error('Failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
