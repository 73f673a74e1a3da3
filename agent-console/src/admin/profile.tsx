// The centre profile (Bulgaria, Serbia, neutral): which one was applied, what each sets, and applying one.
// Applying adds and sets, never deletes; the other tabs edit everything afterwards. Below it, the hotline
// forwarding routing the profile set (editable like any setting).
import { useEffect, useState } from 'preact/hooks';
import type { CentreProfileId, CentreProfileState, HotlineRouting } from '@helpline/shared';
import { api, ApiError } from '../api.js';
import { errorText, formatDateTime, seeded, t } from '../i18n/index.js';
import { Status, useSetting } from './use-settings.js';

export function ProfileForm() {
  const [state, setState] = useState<CentreProfileState | null>(null);
  const [choice, setChoice] = useState<CentreProfileId>('neutral');
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => {
    api
      .get<CentreProfileState>('/api/admin/profile')
      .then((s) => {
        setState(s);
        setChoice(s.current ?? 'neutral');
      })
      .catch((e: unknown) => setStatus({ ok: false, text: errorText(e) }));
  }, []);
  if (!state) return <Status status={status} />;
  const chosen = state.profiles.find((p) => p.id === choice)!;
  const apply = async (e: Event) => {
    e.preventDefault();
    setStatus(null);
    try {
      setState(await api.put<CentreProfileState>('/api/admin/profile', { id: choice }));
      setStatus({ ok: true, text: t('ad.profile.applied') });
    } catch (err) {
      setStatus({ ok: false, text: err instanceof ApiError ? errorText(err) : t('common.error') });
    }
  };
  return (
    <div class="stack">
      <form class="grid-form" onSubmit={(e) => void apply(e)}>
        <p class="small">{state.current ? t('ad.profile.current', { name: t(`ad.profile.${state.current}`), when: formatDateTime(state.appliedAt!) }) : t('ad.profile.none')}</p>
        <label>
          {t('ad.profile.choose')}
          <select value={choice} onChange={(e) => setChoice(e.currentTarget.value as CentreProfileId)}>
            {state.profiles.map((p) => (
              <option key={p.id} value={p.id}>
                {t(`ad.profile.${p.id}`)}
              </option>
            ))}
          </select>
        </label>
        <dl class="small" data-testid="profile-summary">
          <dt>{t('ad.widget.languages')}</dt>
          <dd>{chosen.languages.map((l) => t('language.' + l)).join(', ')}</dd>
          <dt>{t('ad.hours.timeZone')}</dt>
          <dd>{chosen.timeZone}</dd>
          <dt>{t('ad.widget.phoneLine')}</dt>
          <dd>{chosen.phoneLine || t('common.none')}</dd>
          <dt>{t('ad.profile.institutions')}</dt>
          <dd>{chosen.institutions}</dd>
          <dt>{t('ad.routing.policeUnit')}</dt>
          <dd>{chosen.routing.policeUnit ? seeded(chosen.routing.policeUnit) : t('common.none')}</dd>
        </dl>
        <p class="small">{t('ad.profile.help')}</p>
        <button type="submit" class="primary">
          {t('ad.profile.apply')}
        </button>
        <Status status={status} />
      </form>
      <RoutingForm key={state.appliedAt ?? ''} />
    </div>
  );
}

function RoutingForm() {
  const { value, save, status } = useSetting<HotlineRouting>('hotlineRouting');
  const [draft, setDraft] = useState<HotlineRouting | null>(null);
  useEffect(() => setDraft(value), [value]);
  if (!draft) return <Status status={status} />;
  return (
    <form
      class="grid-form"
      onSubmit={(e) => {
        e.preventDefault();
        void save(draft);
      }}
    >
      <h2>{t('ad.routing.title')}</h2>
      <label>
        {t('ad.routing.countryCode')}
        <input type="text" maxLength={2} value={draft.countryCode} onInput={(e) => setDraft({ ...draft, countryCode: e.currentTarget.value.toUpperCase() })} />
      </label>
      <label>
        {t('ad.routing.policeUnit')}
        <input type="text" maxLength={200} value={draft.policeUnit} onInput={(e) => setDraft({ ...draft, policeUnit: e.currentTarget.value })} />
      </label>
      <label>
        {t('ad.routing.nationalMemberCode')}
        <input type="text" maxLength={60} value={draft.nationalMemberCode} onInput={(e) => setDraft({ ...draft, nationalMemberCode: e.currentTarget.value })} />
      </label>
      <button type="submit" class="primary">
        {t('common.save')}
      </button>
      <Status status={status} />
    </form>
  );
}
