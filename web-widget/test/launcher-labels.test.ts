// The loader's own launcher (shown until the app runs) says what the app's launcher says, in every
// language, so the hand-over does not change the words under the child's finger.
import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '@helpline/shared';
import { translate } from '../src/app/i18n/index.js';
import { LAUNCHER_LABELS, launcherLanguage } from '../src/loader/launcher.js';

describe("the loader's launcher", () => {
  it("has the app's label in every language, and an opening text", () => {
    for (const l of LANGUAGES) {
      expect(LAUNCHER_LABELS[l][0], l).toBe(translate(l, 'openChat'));
      expect(LAUNCHER_LABELS[l][1], l).toMatch(/…$/);
    }
  });
  it('picks the first hint it knows, else English', () => {
    expect(launcherLanguage(['', 'sr-Latn-RS', 'bg'])).toBe('sr-Latn');
    expect(launcherLanguage([null, 'de', 'bg-BG'])).toBe('bg');
    expect(launcherLanguage(['sr'])).toBe('sr-Cyrl');
    expect(launcherLanguage(['fr'])).toBe('en');
  });
});
