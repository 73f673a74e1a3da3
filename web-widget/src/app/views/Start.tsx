// The first screen: what this is, the privacy note, three optional questions, start.
import { useState } from 'preact/hooks';
import { AGE_GROUPS, TOPICS, type AgeGroup, type Language, type Topic } from '@helpline/shared';
import { useWidget } from '../context.js';
import { LANGUAGE_NAMES, type Key } from '../i18n/index.js';
import type { SessionState } from '../session.js';
import { Alternatives } from './Alternatives.js';
import { AlertEntry } from './Alerts.js';

export function StartView({ state, onLeaveMessage, onCheckAnswer }: { state: SessionState; onLeaveMessage(): void; onCheckAnswer(): void }) {
  const { t, lang, config, session } = useWidget();
  const [chatLang, setChatLang] = useState<Language | ''>(lang);
  const [age, setAge] = useState<AgeGroup | ''>('');
  const [topic, setTopic] = useState<Topic | ''>('');
  const [busy, setBusy] = useState(false);
  const online = state.connection === 'online';

  async function start(e: Event) {
    e.preventDefault();
    setBusy(true);
    await session.start({ ...(chatLang ? { language: chatLang } : {}), ...(age ? { ageGroup: age } : {}), ...(topic ? { topic } : {}) });
    setBusy(false);
  }

  return (
    <main class="body">
      <h2>{t('startTitle')}</h2>
      <p>{t('startIntro')}</p>
      <AlertEntry />
      <section class="note" aria-labelledby="hl-privacy">
        <h3 id="hl-privacy">{t('privacyTitle')}</h3>
        <p>{t('privacyNote')}</p>
      </section>
      {state.service && <Alternatives service={state.service} onLeaveMessage={onLeaveMessage} onCheckAnswer={onCheckAnswer} />}
      <form onSubmit={start} class="stack">
        <p>{t('optionalFields')}</p>
        <div class="field">
          <label for="hl-chat-lang">{t('fieldLanguage')}</label>
          <select id="hl-chat-lang" value={chatLang} onChange={(e) => setChatLang((e.target as HTMLSelectElement).value as Language | '')}>
            {config.languages.map((l) => (
              <option key={l} value={l} lang={l}>
                {LANGUAGE_NAMES[l]}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="hl-age">{t('fieldAge')}</label>
          <select id="hl-age" value={age} onChange={(e) => setAge((e.target as HTMLSelectElement).value as AgeGroup | '')}>
            <option value="">{t('notSay')}</option>
            {AGE_GROUPS.map((a) => (
              <option key={a} value={a}>
                {t(`age_${a}` as Key)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="hl-topic">{t('fieldTopic')}</label>
          <select id="hl-topic" value={topic} onChange={(e) => setTopic((e.target as HTMLSelectElement).value as Topic | '')}>
            <option value="">{t('notSay')}</option>
            {TOPICS.map((x) => (
              <option key={x} value={x}>
                {t(`topic_${x}` as Key)}
              </option>
            ))}
          </select>
        </div>
        {state.connection === 'offline' && <p role="status">{t('offline')}</p>}
        {state.connection === 'connecting' && <p role="status">{t('connecting')}</p>}
        {state.error && <p class="error" role="alert">{t(state.error === 'rate_limited' ? 'errorRateLimited' : 'errorGeneric')}</p>}
        <button type="submit" class="btn" disabled={!online || busy}>
          {t('startChat')}
        </button>
      </form>
      {!state.service || state.service.open ? (
        <p>
          <button type="button" class="btn secondary" onClick={onCheckAnswer}>
            {t('checkAnswer')}
          </button>
        </p>
      ) : null}
    </main>
  );
}
