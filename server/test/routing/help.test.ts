// A counsellor's call for help is one compare-and-set: only on a live conversation that is still hers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentClient, api, call, connected, createStaff, login, next, startTestEnv, widgetClient, type TestEnv } from '../helpers.js';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(async () => {
  await env?.close();
});

describe('asking a supervisor for help', () => {
  it('flags a live conversation, and is refused once it is closed or no longer hers', async () => {
    const staff = await createStaff(env.app, 'counsellor');
    const who = await login(env.url, staff.email, staff.password);
    const agent = agentClient(env.url, who);
    await connected(agent);
    expect((await call(agent, 'agent:status', { status: 'available' })).ok).toBe(true);
    const other = await createStaff(env.app, 'counsellor');
    const otherAgent = agentClient(env.url, await login(env.url, other.email, other.password));
    await connected(otherAgent);

    const child = widgetClient(env.url);
    await connected(child);
    const offerP = next(agent, 'offer:new');
    const started = await call(child, 'conversation:start', { language: 'bg' });
    if (!started.ok) throw new Error('not started');
    const conversationId = started.data.conversation.id;
    expect((await call(agent, 'offer:accept', { offerId: (await offerP).offerId })).ok).toBe(true);

    expect(await call(agent, 'conversation:help', { conversationId })).toMatchObject({ ok: true, data: { helpRequested: true } });
    expect(await call(otherAgent, 'conversation:help', { conversationId })).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    const closed = await api(env.url, who, 'POST', `/api/conversations/${conversationId}/close`, { contactType: 'child', categories: ['cyberbullying'], summary: 'x' });
    expect(closed.status).toBe(200);
    expect(await call(agent, 'conversation:help', { conversationId })).toMatchObject({ ok: false, error: { code: 'invalid_state' } });
    agent.disconnect();
    otherAgent.disconnect();
    child.disconnect();
  });
});
