// The inbox of left messages on the /agent namespace: counsellors and supervisors join one room and
// are told of every change ('offline:changed', counts only), and the claim-lapse timer is defined.
// Nothing is asked over the socket: the console reads the inbox over HTTP, again on every reconnect.
import type { FastifyInstance } from 'fastify';
import { rooms, type AgentSocket } from '../realtime/server.js';
import { CLAIM_EXPIRY_JOB } from './inbox.js';

export function registerOfflineInboxSocket(app: FastifyInstance): void {
  app.offlineMessages.onChange((e) => app.realtime.agent.to(rooms.offlineInbox).emit('offline:changed', e));
  app.jobs.define('timers', CLAIM_EXPIRY_JOB, async (data) => {
    if (typeof data.id === 'string' && typeof data.claimedAt === 'string') await app.offlineMessages.claimLapsed(data.id, data.claimedAt);
  });
  app.realtime.agent.on('connection', (socket: AgentSocket) => {
    const { role } = socket.data.staff;
    if (role === 'counsellor' || role === 'supervisor') void socket.join(rooms.offlineInbox);
  });
}
