// A phone call, an e-mail or a social-media message, logged by hand with the same case record.
import { useState } from 'preact/hooks';
import { t, useLanguage } from '../i18n/index.js';
import { CaseForm } from './case-form.js';

export function ContactLogPage() {
  useLanguage();
  const [done, setDone] = useState(0);
  return (
    <section class="page">
      <h1>{t('contact.title')}</h1>
      {done > 0 && (
        <p class="ok" role="status">
          {t('case.logged')}
        </p>
      )}
      <div class="card">
        <CaseForm key={done} mode={{ kind: 'contact' }} onDone={() => setDone((n) => n + 1)} />
      </div>
    </section>
  );
}
