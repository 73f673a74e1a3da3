// Serbian Latin overrides: keys whose Latin text is not the transliteration of the Cyrillic one. Each
// language is named in itself in the language menu, so those names stay in their own script.
export const srLatnOverrides: Record<string, string> = {
  'lang.sr-Cyrl': 'Српски (ћирилица)',
  'lang.bg': 'Български',
};
