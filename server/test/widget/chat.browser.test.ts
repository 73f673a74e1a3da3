/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Browser-side callbacks (page.evaluate) use the DOM types.
// The widget embedded on a centre's site of another origin, with a counsellor on the other side:
// start, live messages both ways, typing, delivered/read, counsellor change, end, new chat.
import { describe, expect, it } from 'vitest';
import { call, connected, createStaff, next, randomUUID, widgetClient } from '../helpers.js';
import { bubbles, counsellor, send, startChat, widgetFrame, useWidgetSuite } from './harness.js';

const suite = useWidgetSuite();

describe('widget chat, embedded on another origin', () => {
  it('chats with a counsellor end to end', async () => {
    const c = await counsellor(suite.world.env, 'Ana');
    const page = await suite.browser.newPage();
    page.setDefaultTimeout(8000);
    await page.goto(suite.world.host.page());
    const frame = await widgetFrame(page);
    // The iframe is the platform's, not the host page's.
    expect(new URL(frame.url()).origin).toBe(suite.world.env.url);
    const offered = next(c.agent, 'conversation:assigned');
    await startChat(frame);
    const conv = await offered;
    await frame.locator('.msg.system', { hasText: 'Ana joined the chat.' }).waitFor();

    // child → counsellor, with the typing signal first
    const typingAtAgent = next(c.agent, 'typing', (p: any) => p.conversationId === conv.id && p.typing === true);
    await frame.locator('#hl-composer').pressSequentially('Hel');
    await typingAtAgent;
    await frame.locator('#hl-composer').fill('');
    const atAgent = next(c.agent, 'message:new', (m: any) => m.sender === 'visitor');
    await send(frame, 'Hello, I need help');
    expect((await atAgent).body).toBe('Hello, I need help');
    await frame.locator('.msg.visitor .meta', { hasText: 'Delivered' }).waitFor();

    // typing and counsellor → child
    c.agent.emit('typing', { conversationId: conv.id, typing: true });
    await frame.locator('.typing', { hasText: 'Ana is typing' }).waitFor();
    const readByChild = next(c.agent, 'message:read', (p: any) => p.conversationId === conv.id && p.seq >= 3);
    const reply = await call(c.agent, 'message:send', { conversationId: conv.id, clientMsgId: randomUUID(), body: 'Hi, I am here.' });
    expect(reply.ok).toBe(true);
    await frame.locator('.msg.counsellor .text', { hasText: 'Hi, I am here.' }).waitFor();
    expect(await frame.locator('.typing').textContent()).toBe('');

    // read both ways
    expect((await readByChild).seq).toBe((reply as any).data.seq);
    const last = await env().conversations.get(conv.id);
    await call(c.agent, 'message:read', { conversationId: conv.id, seq: last.lastSeq });
    await frame.locator('.msg.visitor .meta', { hasText: 'Read' }).waitFor();

    // minimised: a new message shows on the launcher; reopening moves focus into the panel
    await frame.getByRole('button', { name: 'Minimise the chat' }).click();
    await frame.locator('.launcher').waitFor();
    await expect.poll(() => frame.evaluate(() => document.activeElement?.className)).toBe('launcher');
    await call(c.agent, 'message:send', { conversationId: conv.id, clientMsgId: randomUUID(), body: 'Still there?' });
    await frame.locator('.launcher', { hasText: '1 new' }).waitFor();
    await frame.locator('.launcher').click();
    await frame.locator('.msg.counsellor .text', { hasText: 'Still there?' }).waitFor();
    await expect.poll(() => frame.evaluate(() => document.activeElement?.id)).toBe('hl-title');

    // a change of counsellor is announced, translated
    await env().conversations.postSystem(conv.id, 'transferred');
    await env().conversations.postSystem(conv.id, 'counsellor_changed', { name: 'Boris' });
    await frame.locator('.msg.system', { hasText: 'Your chat is being passed to another counsellor.' }).waitFor();
    await frame.locator('.msg.system', { hasText: 'You are now talking with Boris.' }).waitFor();
    await frame.locator('#hl-lang').selectOption('bg');
    await frame.locator('.msg.system', { hasText: 'Сега говориш с Boris.' }).waitFor();
    await frame.locator('#hl-lang').selectOption('en');

    // the counsellor ends: clear ended state, then a new chat is possible
    await call(c.agent, 'conversation:end', { conversationId: conv.id });
    await frame.locator('#hl-ended').waitFor();
    await frame.locator('.msg.system', { hasText: 'The counsellor ended the chat.' }).waitFor();
    expect(await frame.locator('#hl-composer').count()).toBe(0);
    const second = next(c.agent, 'conversation:assigned');
    await frame.getByRole('button', { name: 'Start a new chat' }).click();
    await startChat(frame);
    const conv2 = await second;
    expect(conv2.id).not.toBe(conv.id);
    expect(await bubbles(frame)).toEqual([]);

    // the child ends (with a confirmation)
    await frame.locator('.msg.system', { hasText: 'Ana joined the chat.' }).waitFor();
    await frame.getByRole('button', { name: 'End the chat' }).click();
    await frame.getByRole('button', { name: 'Yes, end it' }).click();
    await frame.locator('#hl-ended').waitFor();
    await frame.locator('.msg.system', { hasText: 'You ended the chat.' }).waitFor();
    expect((await env().conversations.get(conv2.id)).state).toBe('wrapup');
    await c.close();
    await page.close();
  });

  it('shows the queue position, then alternatives and leave-a-message when nobody is online', async () => {
    const page = await suite.browser.newPage();
    page.setDefaultTimeout(8000);
    await page.goto(suite.world.host.page());
    const frame = await widgetFrame(page);
    await frame.locator('.launcher').click();
    await frame.locator('#hl-closed', { hasText: 'No counsellor is free right now.' }).waitFor();
    await expect(frame.locator('.alts').textContent()).resolves.toContain('Call us:');
    await startChat(frame);
    await frame.locator('[role=status]', { hasText: 'You are number 1 in the queue.' }).waitFor();
    // Leave a message instead of waiting: the queued chat is left, the message is stored.
    await frame.getByRole('button', { name: 'Leave a message' }).click();
    await frame.locator('#hl-offline-body').fill('Nobody was there, please answer later');
    await frame.getByRole('button', { name: 'Send the message' }).click();
    const reference = (await frame.getByTestId('reference').textContent())!;
    const code = (await frame.getByTestId('pickup-code').textContent())!;
    expect(reference).toMatch(/^M-/);
    // Staff answer; the child reads it with the codes.
    const staff = await createStaff(env(), 'counsellor');
    const mine = (await env().offlineMessages.list(staff.profile, {})).find((m) => m.reference === reference)!;
    expect((await env().offlineMessages.read(staff.profile, mine.id)).body).toBe('Nobody was there, please answer later');
    await env().offlineMessages.claim(staff.profile, mine.id);
    await env().offlineMessages.answer(staff.profile, mine.id, 'We read you. Call us tomorrow.');
    await frame.getByRole('button', { name: 'Back' }).click();
    await frame.getByRole('button', { name: 'Read an answer (I have a code)' }).first().click();
    await frame.locator('#hl-ref').fill(reference);
    await frame.locator('#hl-code').fill(code);
    await frame.getByRole('button', { name: 'Show the answer' }).click();
    await frame.locator('.note', { hasText: 'We read you. Call us tomorrow.' }).waitFor();
    await page.close();
  });
});

describe('live queue', () => {
  it('shows place and estimated wait while the counsellor is busy, then connects when free', async () => {
    const c = await counsellor(suite.world.env, 'Vera', 1);
    const other = widgetClient(suite.world.env.url, { origin: suite.world.env.url, hostOrigin: suite.world.host.origin });
    await connected(other);
    const firstAssigned = next(c.agent, 'conversation:assigned');
    await call(other, 'conversation:start', {});
    const first = await firstAssigned;

    const page = await suite.browser.newPage();
    page.setDefaultTimeout(8000);
    await page.goto(suite.world.host.page());
    const frame = await widgetFrame(page);
    await startChat(frame);
    await frame.locator('[role=status]', { hasText: 'You are number 1 in the queue.' }).waitFor();
    await frame.locator('[role=status]', { hasText: 'Estimated wait' }).waitFor();
    await call(c.agent, 'conversation:end', { conversationId: first.id });
    await frame.locator('.msg.system', { hasText: 'Vera joined the chat.' }).waitFor();
    expect(await frame.locator('#hl-wait').count()).toBe(0);
    other.disconnect();
    await c.close();
    await page.close();
  });
});

function env() {
  return suite.world.env.app;
}
