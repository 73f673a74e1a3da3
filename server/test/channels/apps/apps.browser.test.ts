// In Chromium: an admin connects Viber and Messenger in Administration → Channel inboxes (tokens typed
// once, the webhook address and Meta's verify token shown, the connection checked against the local
// stand-in of the app's API). A Viber message (the documented payload, signed) reaches a counsellor's
// console; the counsellor answers; the stand-in receives the send_message call; the console shows
// Sent, then Delivered and Read from Viber's callbacks. The same for Messenger, and past Meta's
// 24-hour window the console says the reply cannot be sent and what can be done.
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createStaff, uid } from '../../helpers.js';
import { axeViolations, useConsoleSuite } from '../../console-browser.js';
import { appContacts } from '../../../src/channels/apps/tables.js';
import { deliveries } from '../../../src/channels/tables.js';
import { fixture, metaSignature, postWebhook, raw, viberSignature } from './app-helpers.js';
import { startStandIn, type StandIn } from './stand-in.js';

let standIn: StandIn;
const suite = useConsoleSuite(async () => {
  standIn = await startStandIn();
  return standIn.env;
});
afterAll(async () => {
  await standIn?.close();
});

async function connectApp(ap: Page, app: string, name: string, fields: Record<string, string>): Promise<{ inboxId: string; verifyToken: string | null }> {
  await ap.getByRole('tab', { name: 'Channel inboxes' }).click();
  const form = ap.getByRole('form', { name: 'Connect a messaging app' });
  await form.getByLabel('App').selectOption({ label: app });
  await form.getByLabel('Name').fill(name);
  for (const [label, value] of Object.entries(fields)) await form.getByLabel(label).fill(value);
  await form.getByRole('button', { name: 'Connect a messaging app' }).click();
  const shown = ap.getByTestId('app-connected');
  await shown.waitFor();
  const url = await shown.getByTestId('app-webhook-url').textContent();
  const inboxId = /\/api\/channels\/apps\/([0-9a-f-]{36})\/webhook$/.exec(url ?? '')?.[1];
  expect(inboxId).toBeTruthy();
  const verifyToken = (await shown.getByTestId('app-verify-token').count()) ? await shown.getByTestId('app-verify-token').textContent() : null;
  // The tokens are never shown back.
  for (const v of Object.values(fields)) if (v.length > 12) expect(await ap.getByText(v).count()).toBe(0);
  await shown.getByRole('button', { name: 'Close' }).click();
  const card = ap.getByRole('region', { name });
  await card.getByRole('button', { name: 'Check connection' }).click();
  await card.locator('[data-testid="app-check"][data-ok="true"]').waitFor();
  return { inboxId: inboxId!, verifyToken };
}

describe('messaging apps in the console', () => {
  it('a Viber message and a Messenger message reach a counsellor, whose answers reach the apps', { timeout: 120_000 }, async () => {
    const admin = await createStaff(suite.env.app, 'admin', { name: 'Ada' });
    const counsellor = await createStaff(suite.env.app, 'counsellor', { name: 'Mila', capacity: 4 });
    const viberToken = `viber-${uid(16)}`;
    const pageToken = `EAAG${uid(24)}`;
    const appSecret = `secret-${uid(20)}`;
    standIn.accept('viber', viberToken);
    standIn.accept('meta', pageToken);

    const adminCtx = await suite.browser.newContext({ viewport: { width: 1280, height: 900 } });
    adminCtx.setDefaultTimeout(15_000);
    const ap = await adminCtx.newPage();
    await suite.consoleLogin(ap, admin.email, admin.password, '/admin');
    const viber = await connectApp(ap, 'Viber', 'Helpline on Viber', { 'Viber authentication token': viberToken });
    expect(await axeViolations(ap)).toEqual([]);
    const messenger = await connectApp(ap, 'Messenger', 'Helpline on Messenger', { 'Access token': pageToken, 'App secret': appSecret });
    expect(messenger.verifyToken).toMatch(/^[A-Za-z0-9_-]{20,}$/);

    const ctx = await suite.browser.newContext({ viewport: { width: 1280, height: 900 } });
    ctx.setDefaultTimeout(15_000);
    const page = await ctx.newPage();
    await suite.consoleLogin(page, counsellor.email, counsellor.password, '/');
    await page.getByRole('radio', { name: 'Available' }).click();
    await page.getByRole('radio', { name: 'Available', checked: true }).waitFor();

    // Viber: the documented message, signed with the bot's token.
    const viberUser = `${uid(10)}A==`;
    const f = fixture('viber-message-text').payload;
    const vbody = raw({ ...f, timestamp: Date.now(), message_token: '4912661846655238145', sender: { ...f.sender, id: viberUser }, message: { ...f.message, text: 'Hello from Viber' } });
    expect((await postWebhook(suite.env.url, viber.inboxId, vbody, { 'x-viber-content-signature': viberSignature(viberToken, vbody) })).status).toBe(200);
    await page.getByRole('button', { name: 'Accept' }).click();
    await page.getByText('Hello from Viber').waitFor();
    await page.getByText('Viber', { exact: true }).first().waitFor();
    await page.getByLabel('Message to the visitor').fill('Hi, I am Mila. I am here.');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const sent = await standIn.waitFor((r) => r.endpoint === 'viber.send_message' && r.body?.text === 'Hi, I am Mila. I am here.');
    expect(sent.problems).toEqual([]);
    expect(sent.body.receiver).toBe(viberUser);
    await page.locator('[data-testid="delivery"][data-state="sent"]').waitFor();
    const [row] = await suite.env.app.db.select().from(deliveries).where(eq(deliveries.inboxId, viber.inboxId));
    for (const event of ['delivered', 'seen']) {
      const body = raw({ ...fixture(`viber-${event}`).payload, message_token: row!.externalId, user_id: viberUser });
      expect((await postWebhook(suite.env.url, viber.inboxId, body, { 'x-viber-content-signature': viberSignature(viberToken, body) })).status).toBe(200);
    }
    await page.locator('[data-testid="delivery"][data-state="read"]', { hasText: 'Read' }).waitFor();

    // Messenger: the documented message, signed with the app secret.
    const psid = `${Date.now()}`;
    const mf = fixture('messenger-message-text').payload;
    Object.assign(mf.entry[0].messaging[0], { sender: { id: psid }, timestamp: Date.now(), message: { mid: `m_${uid(20)}`, text: 'Hello from Messenger' } });
    const mbody = JSON.stringify(mf);
    expect((await postWebhook(suite.env.url, messenger.inboxId, mbody, { 'x-hub-signature-256': metaSignature(appSecret, mbody) })).status).toBe(200);
    await page.getByRole('button', { name: 'Accept' }).click();
    await page.getByText('Hello from Messenger').waitFor();
    await page.getByLabel('Message to the visitor').fill('Hello, this is the helpline.');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const msent = await standIn.waitFor((r) => r.endpoint === 'meta.me/messages' && r.body?.message?.text === 'Hello, this is the helpline.');
    expect(msent.problems).toEqual([]);
    expect(msent.body.recipient.id).toBe(psid);
    expect(msent.headers.authorization).toBe(`Bearer ${pageToken}`);
    // The Viber reply now says Read: this is the Messenger one.
    await page.locator('[data-testid="delivery"][data-state="sent"]').first().waitFor();

    // Past the 24-hour window: the console says the reply cannot be sent, and what can be done.
    await suite.env.app.db.update(appContacts).set({ lastInboundAt: new Date(Date.now() - 25 * 3600_000) }).where(eq(appContacts.inboxId, messenger.inboxId));
    await page.getByLabel('Message to the visitor').fill('Are you still there?');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.locator('[data-testid="delivery"][data-state="failed"]', { hasText: /more than 24 hours.*when they write again/ }).waitFor();
    expect(standIn.of('meta.me/messages').some((r) => r.body?.message?.text === 'Are you still there?')).toBe(false);
    await ctx.close();
    await adminCtx.close();
  });
});
