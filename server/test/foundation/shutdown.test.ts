// Shutdown: connected widgets and consoles are told, then the app closes its workers and connections.
import { describe, expect, it } from 'vitest';
import { agentClient, connected, createStaff, login, next, startTestEnv, widgetClient } from '../helpers.js';

describe('shutdown', () => {
  it('tells connected sockets before closing', async () => {
    const env = await startTestEnv();
    try {
      const s = await createStaff(env.app, 'counsellor');
      const agent = agentClient(env.url, await login(env.url, s.email, s.password));
      const child = widgetClient(env.url);
      await Promise.all([connected(agent), connected(child)]);
      const toldChild = next(child, 'session:ended');
      const toldAgent = next(agent, 'session:ended');
      await env.server.close();
      expect(await toldChild).toEqual({ reason: 'shutdown' });
      expect(await toldAgent).toEqual({ reason: 'shutdown' });
      agent.disconnect();
      child.disconnect();
    } finally {
      await env.close().catch(() => {});
    }
  });
});
