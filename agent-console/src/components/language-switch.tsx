import { UI_LANGUAGES, isUiLanguage, setLanguage, t, useLanguage, type UiLanguage } from '../i18n/index.js';

export function LanguageSwitch({ onChoose }: { onChoose?: (lang: UiLanguage) => void }) {
  const lang = useLanguage();
  return (
    <label class="lang-switch">
      <span class="visually-hidden">{t('shell.language')}</span>
      <select aria-label={t('shell.language')} value={lang} onChange={(e) => {
          const l = e.currentTarget.value;
          if (!isUiLanguage(l)) return;
          setLanguage(l);
          onChoose?.(l);
        }}>
        {UI_LANGUAGES.map((l) => (
          <option key={l} value={l}>
            {t('lang.' + l)}
          </option>
        ))}
      </select>
    </label>
  );
}
