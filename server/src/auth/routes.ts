import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { LANGUAGES, type LoginResponse } from '@helpline/shared';
import { AppError } from '../http/errors.js';
import { parse } from '../http/validate.js';
import { SESSION_COOKIE } from './service.js';
import { requireStaff, staffOf } from './guard.js';
import type { LoginRequest } from '@helpline/shared';
import type { Checked, SchemaAccepts } from '../http/validate.js';

export const ownLanguageSchema = z.object({ language: z.enum(LANGUAGES) }).strict();
export const loginSchema = z.object({ email: z.string().trim().min(3).max(254), password: z.string().min(1).max(1024) });

export async function authRoutes(app: FastifyInstance): Promise<void> {
  app.post('/api/auth/login', { config: { docs: { tags: ['public'], summary: 'Staff login (sets the session cookie)', body: loginSchema } } }, async (req, reply) => {
    const body = parse(loginSchema, req.body);
    const attempt = await app.rateLimits.loginAttempt(req.ip, body.email);
    let result: Awaited<ReturnType<typeof app.auth.login>>;
    try {
      result = await app.auth.login(body.email, body.password);
    } catch (err) {
      await (err instanceof AppError && err.code === 'unauthorized' ? attempt.failed() : attempt.abandoned());
      throw err;
    }
    await attempt.succeeded();
    const { token, session } = result;
    await app.audit.record({ actorType: 'staff', actorId: session.staff.id, action: 'auth.login', targetType: 'staff', targetId: session.staff.id });
    reply.setCookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: app.config.cookieSecure,
      path: '/',
      maxAge: Math.floor(app.config.SESSION_TTL_MS / 1000),
    });
    const res: LoginResponse = { profile: session.staff, csrfToken: session.csrfToken };
    return res;
  });

  app.post('/api/auth/logout', { preHandler: requireStaff() }, async (req, reply) => {
    await app.auth.revoke(req.session!.tokenHash);
    await app.audit.record({ actorType: 'staff', actorId: req.session!.staff.id, action: 'auth.logout', targetType: 'staff', targetId: req.session!.staff.id });
    // Sockets of this session are told and closed on every instance.
    await app.sessionWatch.revoked({ sessionHash: req.session!.tokenHash });
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true };
  });

  app.get('/api/auth/me', { preHandler: requireStaff() }, async (req) => {
    const res: LoginResponse = { profile: staffOf(req), csrfToken: req.session!.csrfToken };
    return res;
  });

  // A staff member's own console language; their other sessions pick it up at their next load.
  app.patch('/api/auth/me', { preHandler: requireStaff() }, async (req) => {
    const { language } = parse(ownLanguageSchema, req.body);
    const res: LoginResponse = { profile: await app.auth.setLanguage(req.session!.staff.id, language), csrfToken: req.session!.csrfToken };
    return res;
  });
}

// The request types of shared/ are the ones these schemas accept (checked by the compiler).
export type LoginRequestChecked = Checked<SchemaAccepts<typeof loginSchema, LoginRequest>>;
