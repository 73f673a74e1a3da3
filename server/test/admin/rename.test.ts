// A counsellor renamed by an admin is shown to the children by the new name at once (the display name
// is a pseudonym the centre chooses, and may be changed to protect the counsellor).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentClient, api, call, connected, createStaff, login, next, startTestEnv, widgetClient, type TestEnv } from '../helpers.js';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(async () => {
  await env?.close();
});

describe('renaming a counsellor', () => {
  it('reaches the child and the console in the next view of the conversation', async () => {
    const admin = await createStaff(env.app, 'admin');
    const adminLogin = await login(env.url, admin.email, admin.password);
    const staff = await createStaff(env.app, 'counsellor', { name: 'Ana' });
    const agent = agentClient(env.url, await login(env.url, staff.email, staff.password));
    await connected(agent);
    expect((await call(agent, 'agent:status', { status: 'available' })).ok).toBe(true);

    const child = widgetClient(env.url);
    await connected(child);
    const offerP = next(agent, 'offer:new');
    const started = await call(child, 'conversation:start', { language: 'bg' });
    if (!started.ok) throw new Error('not started');
    const offer = await offerP;
    expect((await call(agent, 'offer:accept', { offerId: offer.offerId })).ok).toBe(true);
    const before = await call(child, 'conversation:resume', { afterSeq: 0 });
    expect(before).toMatchObject({ ok: true, data: { conversation: { counsellorName: 'Ana' } } });

    const renamed = await api(env.url, adminLogin, 'PATCH', `/api/admin/staff/${staff.profile.id}`, { name: 'Vesela' });
    expect(renamed.status).toBe(200);

    const after = await call(child, 'conversation:resume', { afterSeq: 0 });
    expect(after).toMatchObject({ ok: true, data: { conversation: { counsellorName: 'Vesela' } } });
    const history = await call(agent, 'conversation:history', { conversationId: started.data.conversation.id, afterSeq: 0 });
    expect(history).toMatchObject({ ok: true, data: { conversation: { assignedStaffName: 'Vesela' } } });
    agent.disconnect();
    child.disconnect();
  });
});
