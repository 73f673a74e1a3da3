import { z } from 'zod';
import { LIMITS } from '@helpline/shared';
import { uuid } from '../conversations/schemas.js';

export const noteBody = z
  .string()
  .max(LIMITS.noteMaxChars, `at most ${LIMITS.noteMaxChars} characters`)
  .transform((s) => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').trim())
  .pipe(z.string().min(1, 'empty note'));

export const addNoteSchema = z.object({ conversationId: uuid, body: noteBody }).strict();
