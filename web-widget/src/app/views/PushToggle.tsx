// Alerts as notifications on this device: shown only where the browser can receive Web Push and the
// platform sends it. In a frame of another site (where browsers refuse to ask), a link opens the
// widget in its own tab, where the child can turn it on.
import { useEffect, useState } from 'preact/hooks';
import { useWidget } from '../context.js';
import { pushState, subscribe, unsubscribe, type PushState } from '../push.js';

export function PushToggle({ onlyOff = false }: { onlyOff?: boolean }) {
  const { t, lang } = useWidget();
  const [state, setState] = useState<PushState>('unsupported');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    let live = true;
    pushState()
      .then((s) => live && setState(s))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  const run = (step: () => Promise<PushState>) => {
    setBusy(true);
    step()
      .then(setState, () => setState('off'))
      .finally(() => setBusy(false));
  };

  if (state === 'unsupported' || (onlyOff && state !== 'on')) return null;
  if (state === 'elsewhere')
    return (
      <a class="alert-push" href={`/widget/#lang=${encodeURIComponent(lang)}&alerts=1`} target="_blank" rel="noopener">
        {t('pushElsewhere')}
      </a>
    );
  if (state === 'blocked') return <p class="alert-push-note">{t('pushBlocked')}</p>;
  const on = state === 'on';
  return (
    <p class="alert-push-row">
      {on ? <span>{t('pushIsOn')} </span> : null}
      <button type="button" class="alert-push" disabled={busy} aria-pressed={on} onClick={() => run(on ? unsubscribe : () => subscribe(lang))}>
        {on ? t('pushOff') : t('pushOn')}
      </button>
    </p>
  );
}
