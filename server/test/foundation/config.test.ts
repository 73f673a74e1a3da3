import { describe, expect, it } from 'vitest';
import { ConfigError, describeSettings, loadConfig } from '../../src/config.js';

describe('configuration', () => {
  it('defaults to the embedded platform on port 3000 with demo accounts', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.embedded).toEqual({ postgres: true, redis: true });
    expect(c.demoAccounts).toBe(true);
    expect(c.publicOrigin).toBe('http://localhost:3000');
  });

  it('uses real services when given, without demo accounts', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://u@db:5432/x', REDIS_URL: 'redis://r:6379', PUBLIC_URL: 'https://chat.example.org/' });
    expect(c.embedded).toEqual({ postgres: false, redis: false });
    expect(c.demoAccounts).toBe(false);
    expect(c.publicUrl).toBe('https://chat.example.org');
    expect(c.cookieSecure).toBe(true);
  });

  it('names every bad setting in one clear error', () => {
    let err: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', OFFER_TIMEOUT_MS: '-5', AUTO_ACCEPT: 'maybe' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    for (const k of ['PORT', 'DATABASE_URL', 'OFFER_TIMEOUT_MS', 'AUTO_ACCEPT']) expect(msg).toContain(k);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', REDIS_URL: '' }).PORT).toBe(3000);
  });

  it('describes every setting for the README table', () => {
    const rows = describeSettings();
    expect(rows.length).toBeGreaterThan(20);
    for (const r of rows) expect(r.meaning, r.name).not.toBe('');
    expect(rows.find((r) => r.name === 'OFFER_TIMEOUT_MS')?.default).toBe('30000');
  });
});
