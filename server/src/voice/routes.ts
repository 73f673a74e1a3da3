// HTTP of the phone line: the SIP proxy's calls to the platform (a shared token, compared in constant
// time, before the body is read), and the console's softphone routes.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requireStaff, staffOf } from '../auth/guard.js';
import { AppError } from '../http/errors.js';
import { parse } from '../http/validate.js';
import { uuid } from '../conversations/schemas.js';

const callId = z.string().min(1).max(256);
const incomingSchema = z.object({ callId, from: z.string().max(64).default(''), to: z.string().max(64).default(''), fromTag: z.string().max(256).optional() });
const callSchema = z.object({ callId });
const answeredSchema = z.object({ callId, toTag: z.string().max(256).optional() });
const endedSchema = z.object({ callId, by: z.enum(['caller', 'counsellor']).default('caller') });
const holdSchema = z.object({ held: z.boolean() });
const idParams = z.object({ id: uuid });

export async function voiceRoutes(app: FastifyInstance): Promise<void> {
  const { voice, config } = app;

  /** The SIP proxy, by its token: 401 for anyone else, 404 when the centre has no phone line. */
  const fromProxy = async (req: FastifyRequest): Promise<void> => {
    const given = Buffer.from(String(req.headers['x-helpline-token'] ?? ''));
    const expected = Buffer.from(config.VOICE_TOKEN ?? '');
    if (!config.VOICE_TOKEN || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new AppError('unauthorized', 'Only the SIP proxy calls this');
    }
    if (!voice.enabled) throw new AppError('not_found', 'This centre has no phone line');
  };

  // The queue's answer for the caller's early media goes back as the body itself (the proxy sends it
  // with 183 Session Progress); without one, the conversation's id as JSON (the proxy rings, 180).
  app.post('/api/voice/calls', { preHandler: fromProxy }, async (req, reply) => {
    const r = await voice.incoming(parse(incomingSchema, req.body));
    if (r.sdp) return reply.type('application/sdp').send(r.sdp);
    return { conversationId: r.conversationId };
  });
  app.post('/api/voice/calls/answered', { preHandler: fromProxy }, async (req) => {
    const body = parse(answeredSchema, req.body);
    await voice.answered(body.callId, body.toTag);
    return { ok: true };
  });
  app.post('/api/voice/calls/ended', { preHandler: fromProxy }, async (req) => {
    const body = parse(endedSchema, req.body);
    await voice.ended(body.callId, body.by);
    return { ok: true };
  });
  app.post('/api/voice/calls/failed', { preHandler: fromProxy }, async (req) => {
    await voice.failed(parse(callSchema, req.body).callId);
    return { ok: true };
  });

  const staff = requireStaff('counsellor', 'supervisor');
  app.get('/api/voice/softphone', { preHandler: staff }, async (req) => voice.softphone(staffOf(req).id));
  app.get('/api/conversations/:id/call', { preHandler: staff }, async (req) => {
    const { id } = parse(idParams, req.params);
    const s = staffOf(req);
    const c = await app.conversations.get(id);
    if (s.role !== 'supervisor' && c.assignedStaffId !== s.id) throw new AppError('forbidden', 'This conversation is not assigned to you');
    const call = await voice.callOf(id);
    if (!call) throw new AppError('not_found', 'This conversation is no phone call');
    return call;
  });
  app.post('/api/conversations/:id/call/hold', { preHandler: staff }, async (req) => voice.hold(staffOf(req).id, parse(idParams, req.params).id, parse(holdSchema, req.body).held));
}
