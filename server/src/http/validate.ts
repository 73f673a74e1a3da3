import type { z } from 'zod';
import { AppError } from './errors.js';

/** Parse a payload with its schema or throw a typed invalid_payload error naming the fields. */
export function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const res = schema.safeParse(input);
  if (res.success) return res.data;
  const fields = res.error.issues.slice(0, 10).map((i) => ({ path: i.path.join('.'), message: i.message }));
  const tooLarge = res.error.issues.some((i) => i.code === 'too_big');
  throw new AppError(tooLarge ? 'too_large' : 'invalid_payload', tooLarge ? 'Payload too large' : 'Invalid payload', { fields });
}
