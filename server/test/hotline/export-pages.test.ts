// The hotline export is streamed a page of reports at a time (keyset on created_at, id): every URL of
// the period comes out once and in report order, across page edges and reports filed at the same
// instant, in CSV and JSON alike, and the figures of a period are Postgres's own counts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inArray } from 'drizzle-orm';
import { createStaff, login, startTestEnv, type LoggedIn, type TestEnv } from '../helpers.js';
import { exportCount, exportPages, stats } from '../../src/hotline/exports.js';
import { hotlineReports } from '../../src/hotline/tables.js';
import { fileReport } from './support.js';

let env: TestEnv;
let analyst: LoggedIn;
const refs: string[] = [];
beforeAll(async () => {
  env = await startTestEnv({ HOTLINE_REPORTS_PER_10MIN: '1000' });
  const a = await createStaff(env.app, 'analyst');
  analyst = await login(env.url, a.email, a.password);
  for (let i = 0; i < 7; i++) {
    const urls = Array.from({ length: 1 + (i % 3) }, (_, j) => `https://host${i}.example/page/${j}`);
    const r = await fileReport(env.url, { urls });
    expect(r.status).toBe(200);
    refs.push(r.body.reference);
  }
  // Three reports filed at the same instant: the page edge falls among them.
  await env.app.db.update(hotlineReports).set({ createdAt: new Date('2026-06-01T10:00:00Z') }).where(inArray(hotlineReports.reference, refs.slice(2, 5)));
});
afterAll(async () => {
  await env?.close();
});

const EXPECTED_ROWS = [1, 2, 3, 1, 2, 3, 1].reduce((a, b) => a + b, 0);

describe('the streamed hotline export', () => {
  it('pages through every URL once, in report order, across ties at a page edge', async () => {
    for (const size of [1, 2, 3, 500]) {
      const rows = [];
      for await (const page of exportPages(env.app.db, {}, size)) rows.push(...page);
      expect(rows, `page size ${size}`).toHaveLength(EXPECTED_ROWS);
      expect(new Set(rows.map((r) => `${r.report_id} ${r.url}`)).size, `page size ${size}`).toBe(EXPECTED_ROWS);
      const at = rows.map((r) => r.reported_at!);
      expect(at, `page size ${size}`).toEqual([...at].sort());
    }
    expect(await exportCount(env.app.db, {})).toBe(EXPECTED_ROWS);
  });

  it('streams the same rows as CSV and as JSON over HTTP', async () => {
    const get = (q: string) => fetch(`${env.url}/api/hotline/export?${q}`, { headers: { cookie: analyst.cookie } });
    const csv = await (await get('format=csv')).text();
    expect(csv.trim().split('\r\n')).toHaveLength(1 + EXPECTED_ROWS);
    const json = (await (await get('format=json')).json()) as { url: string }[];
    expect(json).toHaveLength(EXPECTED_ROWS);
    for (const r of json) expect(csv).toContain(`"${r.url}"`);
    const none = (await (await get('format=json&to=2000-01-01T00:00:00Z')).json()) as unknown[];
    expect(none).toEqual([]);
  });

  it('counts a period in Postgres', async () => {
    const s = await stats(env.app.db, {});
    expect(s.total).toBe(7);
    expect(s.byClassification).toEqual({ unassessed: EXPECTED_ROWS });
    expect(s.byStatus).toEqual({ new: 7 });
    const june = await stats(env.app.db, { from: new Date('2026-06-01T00:00:00Z'), to: new Date('2026-06-02T00:00:00Z') });
    expect(june.total).toBe(3);
  });
});
