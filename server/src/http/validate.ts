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

/** True when A and B are the same type (each assignable to the other). */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Whether a schema accepts exactly the request type T (its input type is T). */
export type SchemaAccepts<S extends z.ZodType, T> = Same<z.input<S>, T>;
/**
 * Compile-time check that a schema accepts exactly the request type `shared/` declares for it:
 * `type _ = Checked<SchemaAccepts<typeof schema, SharedType>>` does not compile when they drift apart.
 */
export type Checked<T extends true> = T;
