import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StaffRole } from '@helpline/shared';
import { AppError } from '../http/errors.js';
import type { Session } from './service.js';

/** preHandler: a live staff session with one of `roles` (any role when empty); CSRF header on changes. */
export function requireStaff(...roles: StaffRole[]) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const session = req.session;
    if (!session) throw new AppError('unauthorized', 'Log in first');
    if (roles.length && !roles.includes(session.staff.role)) throw new AppError('forbidden', 'Your role may not do this');
    if (!['GET', 'HEAD', 'OPTIONS'].includes(req.method)) {
      const header = req.headers['x-csrf-token'];
      if (header !== session.csrfToken) throw new AppError('forbidden', 'Missing or wrong CSRF token');
    }
  };
}

export function staffOf(req: FastifyRequest): Session['staff'] {
  if (!req.session) throw new AppError('unauthorized', 'Log in first');
  return req.session.staff;
}
