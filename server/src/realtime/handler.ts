// The one shape of every socket handler: validate, authorise, act, acknowledge. Errors become typed
// acks; nothing thrown reaches the socket or kills the process.
import type { z } from 'zod';
import type { Ack } from '@helpline/shared';
import type { FastifyBaseLogger } from 'fastify';
import { loggableError, toApiError } from '../http/errors.js';
import { parse } from '../http/validate.js';

type AnyAck = (r: Ack<unknown>) => void;

export function socketHandler<S extends z.ZodType, R>(
  log: FastifyBaseLogger,
  event: string,
  schema: S,
  run: (payload: z.output<S>) => Promise<R>,
): (...args: unknown[]) => void {
  return (...args: unknown[]) => {
    const last = args[args.length - 1];
    const ack: AnyAck | undefined = typeof last === 'function' ? (last as AnyAck) : undefined;
    const payload = ack ? args[0] : args[0];
    void (async () => {
      try {
        const data = await run(parse(schema, payload ?? {}));
        ack?.({ ok: true, data: data === undefined ? null : data });
      } catch (err) {
        const error = toApiError(err);
        if (error.code === 'internal' || error.code === 'unavailable') log.error({ event, err: loggableError(err) }, 'socket handler failed');
        ack?.({ ok: false, error });
      }
    })();
  };
}
