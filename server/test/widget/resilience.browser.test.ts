/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Browser-side callbacks (page.evaluate) use the DOM types.
// A flaky network and reloads: nothing typed is lost, nothing is shown or stored twice, and a reload
// in the same tab resumes the conversation.
import { describe, expect, it } from 'vitest';
import { call, eventually, next, randomUUID } from '../helpers.js';
import { bubbles, counsellor, send, startChat, widgetFrame, useWidgetSuite } from './harness.js';

const suite = useWidgetSuite();

describe('widget resilience', () => {
  it('queues messages written offline, sends them in order once on reconnect, and resumes after a reload', async () => {
    const c = await counsellor(suite.world.env, 'Mila');
    const received: string[] = [];
    c.agent.on('message:new', (m) => m.sender === 'visitor' && received.push(m.body));
    const context = await suite.browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(suite.world.host.page());
    let frame = await widgetFrame(page);
    const assigned = next(c.agent, 'conversation:assigned');
    await startChat(frame);
    const conv = await assigned;
    await send(frame, 'one');
    await frame.locator('.msg.visitor .meta', { hasText: 'Delivered' }).waitFor();

    await context.setOffline(true);
    await frame.locator('.status-bar', { hasText: 'No connection' }).waitFor();
    await send(frame, 'two');
    await send(frame, 'three');
    expect(await frame.locator('.msg.visitor .meta', { hasText: 'Waiting for connection' }).count()).toBe(2);
    const outbox = await frame.evaluate(() => JSON.parse(sessionStorage.getItem('hl.outbox') ?? '[]').map((o: { body: string }) => o.body));
    expect(outbox).toEqual(['two', 'three']);
    // The counsellor writes meanwhile: the child gets it on reconnect.
    await call(c.agent, 'message:send', { conversationId: conv.id, clientMsgId: randomUUID(), body: 'are you there?' });

    await context.setOffline(false);
    await eventually(async () => (await bubbles(frame)).length === 4 && (await frame.locator('.meta', { hasText: /Waiting|Sending/ }).count()) === 0, 20_000);
    expect(await bubbles(frame)).toEqual(['one', 'are you there?', 'two', 'three']);
    await eventually(async () => received.length >= 3);
    expect(received).toEqual(['one', 'two', 'three']);
    const stored = await suite.world.env.app.conversations.history(conv.id, 0);
    expect(stored.filter((m) => m.sender !== 'system').map((m) => m.body)).toEqual(['one', 'are you there?', 'two', 'three']);

    // A slow mobile network (high latency, low bandwidth): a burst of messages arrives once, in order.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 800, downloadThroughput: 50_000, uploadThroughput: 20_000 });
    for (const b of ['slow 1', 'slow 2', 'slow 3']) await send(frame, b);
    await eventually(async () => received.length >= 6, 20_000);
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    expect(received).toEqual(['one', 'two', 'three', 'slow 1', 'slow 2', 'slow 3']);
    await eventually(async () => (await frame.locator('.meta', { hasText: /Waiting|Sending/ }).count()) === 0);
    expect(await bubbles(frame)).toEqual(['one', 'are you there?', 'two', 'three', 'slow 1', 'slow 2', 'slow 3']);

    // A draft survives the reload too.
    await frame.locator('#hl-composer').fill('half-written');
    await page.reload();
    frame = await widgetFrame(page);
    await frame.locator('.msg.counsellor').waitFor();
    expect(await bubbles(frame)).toEqual(['one', 'are you there?', 'two', 'three', 'slow 1', 'slow 2', 'slow 3']);
    expect(await frame.locator('.msg.system', { hasText: 'Mila joined the chat.' }).count()).toBe(1);
    expect(await frame.locator('#hl-composer').inputValue()).toBe('half-written');
    await frame.locator('#hl-composer').fill('');
    await send(frame, 'after reload');
    await eventually(async () => received.includes('after reload'));
    expect(await bubbles(frame)).toEqual(['one', 'are you there?', 'two', 'three', 'slow 1', 'slow 2', 'slow 3', 'after reload']);
    expect(received).toEqual(['one', 'two', 'three', 'slow 1', 'slow 2', 'slow 3', 'after reload']);

    // After the chat ended, a reload starts afresh.
    await call(c.agent, 'conversation:end', { conversationId: conv.id });
    await frame.locator('#hl-ended').waitFor();
    await page.reload();
    frame = await widgetFrame(page);
    await frame.getByRole('button', { name: 'Start the chat' }).waitFor();
    expect(await frame.locator('.msg').count()).toBe(0);
    await c.close();
    await context.close();
  });
});
