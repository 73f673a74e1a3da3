import { latinDictionary } from '@helpline/shared';
import type { Dict } from './en.js';
import { srCyrl } from './sr-Cyrl.js';

// Srpski (latinica): generated from the Cyrillic dictionary (shared/src/serbian.ts), so the scripts never drift.
// Overrides: Cyrillic phrases whose Latin usage is not their letter-by-letter form.
export const SR_LATN_OVERRIDES: Record<string, string> = {};

export const srLatn: Dict = latinDictionary(srCyrl, SR_LATN_OVERRIDES);
