// Export headers in the reader's language: with `lang` the CSV's first row names the columns in that
// language (Serbian Latin generated from Cyrillic); without it, the stable machine names stay.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LANGUAGES } from '@helpline/shared';
import { api, createStaff, login, startTestEnv, type TestEnv } from '../helpers.js';
import { EXPORT_HEADERS } from '../../src/exports-i18n/headers.js';
import { EXPORT_COLUMNS } from '../../src/hotline/exports.js';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(async () => {
  await env?.close();
});

const firstLine = (s: string) => s.split('\r\n')[0];

describe('export headers', () => {
  it('name every column in every language', () => {
    for (const l of LANGUAGES) {
      expect(Object.keys(EXPORT_HEADERS[l].hotline).sort()).toEqual([...EXPORT_COLUMNS].sort());
      for (const v of Object.values(EXPORT_HEADERS[l].hotline)) expect(v.trim()).not.toBe('');
    }
    expect(EXPORT_HEADERS['sr-Latn'].hotline.victim_age).toBe('Uzrast žrtve');
  });

  it('are in the asked language in the statistics and hotline CSVs, machine names otherwise', async () => {
    const sup = await createStaff(env.app, 'supervisor');
    const who = await login(env.url, sup.email, sup.password);
    const stats = await api(env.url, who, 'GET', '/api/stats.csv?from=2026-01-01&to=2026-01-31&lang=sr-Latn');
    expect(stats.status).toBe(200);
    expect(firstLine(stats.body)).toBe('Odeljak,Ključ,Vrednost');
    expect(stats.body).toContain('contacts,total,0');
    expect(firstLine((await api(env.url, who, 'GET', '/api/stats.csv?from=2026-01-01&to=2026-01-31')).body)).toBe('section,key,value');
    expect((await api(env.url, who, 'GET', '/api/stats.csv?lang=xx')).status).toBe(400);

    const hl = await api(env.url, who, 'GET', '/api/hotline/export?format=csv&lang=sr-Cyrl');
    expect(hl.status).toBe(200);
    expect(firstLine(hl.body)!.split(',').slice(0, 3)).toEqual(['"Ознака"', '"ID пријаве"', '"Извор"']);
    expect(firstLine((await api(env.url, who, 'GET', '/api/hotline/export?format=csv')).body)).toBe(EXPORT_COLUMNS.join(','));
  });
});
