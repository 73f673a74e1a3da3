import { UI_LANGUAGES, setLanguage, t, useLanguage, type UiLanguage } from '../i18n/index.js';

export function LanguageSwitch() {
  const lang = useLanguage();
  return (
    <label class="lang-switch">
      <span class="visually-hidden">{t('shell.language')}</span>
      <select aria-label={t('shell.language')} value={lang} onChange={(e) => setLanguage(e.currentTarget.value as UiLanguage)}>
        {UI_LANGUAGES.map((l) => (
          <option key={l} value={l}>
            {t('lang.' + l)}
          </option>
        ))}
      </select>
    </label>
  );
}
