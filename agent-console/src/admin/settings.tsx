// Forms for the centre's settings keys: hours, widget, risk words, service level and retention.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { LANGUAGES, type Language, type WidgetConfig } from '@helpline/shared';
import { t } from '../i18n/index.js';
import { lines, Status, useSetting } from './use-settings.js';

interface Hours {
  timeZone: string;
  weekly: Record<string, [string, string][]>;
  holidays: string[];
  enforced: boolean;
}
// The stored widget setting: the public config minus what the server derives, plus the origin allow-list.
type Widget = Omit<WidgetConfig, 'reportUrl'> & { allowedOrigins: string[] };

const DAYS = ['1', '2', '3', '4', '5', '6', '0'];
const rangesText = (r: [string, string][] | undefined) => (r ?? []).map(([a, b]) => `${a}-${b}`).join(', ');
const parseRanges = (s: string): [string, string][] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)
    .map((x) => {
      const [a = '', b = ''] = x.split('-').map((y) => y.trim());
      return [a, b];
    });

/**
 * Editable copy of a loaded setting. The copy is derived from the value during render, so the form
 * shows the loaded value in the very first frame it is drawn (an effect would leave one frame with
 * the empty initial draft, and an edit made in that frame was overwritten when the effect ran). An
 * edit belongs to the value it was made on: once the setting is saved (a new value), the form shows
 * what was saved.
 */
function useDraft<V, D>(value: V | null, from: (v: V) => D, initial: D) {
  const [edit, setEdit] = useState<{ of: V; draft: D } | null>(null);
  const draft = value === null ? initial : edit && edit.of === value ? edit.draft : from(value);
  const setDraft = (next: D) => {
    if (value !== null) setEdit({ of: value, draft: next });
  };
  return [draft, setDraft] as const;
}

/** One settings form: its fields, then "Save" and the save status. */
function SettingsForm({ onSave, status, children }: { onSave: () => void; status: SaveStatus; children: ComponentChildren }) {
  return (
    <form
      class="grid-form"
      onSubmit={(e) => {
        e.preventDefault();
        onSave();
      }}
    >
      {children}
      <button type="submit" class="primary">
        {t('common.save')}
      </button>
      <Status status={status} />
    </form>
  );
}
type SaveStatus = Parameters<typeof Status>[0]['status'];

/** A control with its visible label (which is also its accessible name). */
function Field({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <label>
      {label}
      {children}
    </label>
  );
}

export function HoursForm() {
  const { value, save, status } = useSetting<Hours>('hours');
  const [draft, setDraft] = useDraft(
    value,
    (v) => ({ tz: v.timeZone, enforced: v.enforced, days: Object.fromEntries(DAYS.map((d) => [d, rangesText(v.weekly[d])])) as Record<string, string>, holidays: v.holidays.join('\n') }),
    { tz: '', enforced: false, days: {} as Record<string, string>, holidays: '' },
  );
  const { tz, enforced, days, holidays } = draft;
  const set = (patch: Partial<typeof draft>) => setDraft({ ...draft, ...patch });
  if (!value) return <Status status={status} />;
  return (
    <SettingsForm status={status} onSave={() => void save({ timeZone: tz, enforced, weekly: Object.fromEntries(DAYS.map((d) => [d, parseRanges(days[d] ?? '')])), holidays: lines(holidays) })}>
      <Field label={t('ad.hours.timeZone')}>
        <input required value={tz} onInput={(e) => set({ tz: e.currentTarget.value })} />
      </Field>
      <label class="check">
        <input type="checkbox" checked={enforced} onChange={(e) => set({ enforced: e.currentTarget.checked })} />
        {t('ad.hours.enforced')}
      </label>
      {DAYS.map((d) => (
        <Field key={d} label={t('ad.hours.day', { day: t(`ad.day.${d}`) })}>
          <input value={days[d] ?? ''} onInput={(e) => set({ days: { ...days, [d]: e.currentTarget.value } })} />
        </Field>
      ))}
      <Field label={t('ad.hours.holidays')}>
        <textarea rows={5} value={holidays} onInput={(e) => set({ holidays: e.currentTarget.value })} />
      </Field>
    </SettingsForm>
  );
}

export function WidgetForm() {
  const { value, save, status } = useSetting<Widget>('widget');
  const [w, setW] = useDraft<Widget, Widget | null>(value, (v) => v, null);
  const [origins, setOrigins] = useDraft(value, (v) => v.allowedOrigins.join('\n'), '');
  if (!w) return <Status status={status} />;
  const text = (k: 'centreName' | 'phoneLine' | 'email' | 'hoursText' | 'exitUrl', type = 'text') => (
    <Field key={k} label={t(`ad.widget.${k}`)}>
      <input type={type} value={w[k]} onInput={(e) => setW({ ...w, [k]: e.currentTarget.value })} />
    </Field>
  );
  return (
    <SettingsForm status={status} onSave={() => void save({ ...w, allowedOrigins: lines(origins) })}>
      {text('centreName')}
      <Field label={t('ad.widget.primaryColor')}>
        <input type="color" value={w.primaryColor} onInput={(e) => setW({ ...w, primaryColor: e.currentTarget.value })} />
      </Field>
      {text('phoneLine')}
      {text('email')}
      {text('hoursText')}
      {text('exitUrl', 'url')}
      <fieldset class="checks">
        <legend>{t('ad.widget.languages')}</legend>
        {LANGUAGES.map((l) => (
          <label key={l} class="check">
            <input
              type="checkbox"
              checked={w.languages.includes(l)}
              onChange={(e) => setW({ ...w, languages: e.currentTarget.checked ? [...w.languages, l] : w.languages.filter((x) => x !== l) })}
            />
            {t(`language.${l}`)}
          </label>
        ))}
      </fieldset>
      <Field label={t('ad.widget.defaultLanguage')}>
        <select value={w.defaultLanguage} onChange={(e) => setW({ ...w, defaultLanguage: e.currentTarget.value as Language })}>
          {w.languages.map((l) => (
            <option key={l} value={l}>
              {t(`language.${l}`)}
            </option>
          ))}
        </select>
      </Field>
      <Field label={t('ad.widget.allowedOrigins')}>
        <textarea rows={4} value={origins} onInput={(e) => setOrigins(e.currentTarget.value)} />
      </Field>
    </SettingsForm>
  );
}

/** A setting that is a record of values, each edited as text in its own field. */
function useRecordDraft<V>(key: string, toText: (v: V) => string, fromText: (s: string) => V) {
  const { value, save, status } = useSetting<Record<string, V>>(key);
  const [texts, setTexts] = useDraft(value, (v) => Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toText(x)])), {} as Record<string, string>);
  return {
    value,
    status,
    texts,
    setText: (k: string, s: string) => setTexts({ ...texts, [k]: s }),
    save: () => void save(Object.fromEntries(Object.entries(texts).map(([k, s]) => [k, fromText(s)]))),
  };
}

export function RiskWordsForm() {
  const { value, status, texts, setText, save } = useRecordDraft<string[]>('riskWords', (v) => v.join('\n'), lines);
  if (!value) return <Status status={status} />;
  return (
    <SettingsForm status={status} onSave={save}>
      <p class="small">{t('ad.risk.help')}</p>
      {Object.keys(texts).map((k) => (
        <Field key={k} label={t('ad.risk.list', { lang: t(`language.${k}`) })}>
          <textarea rows={6} value={texts[k]} onInput={(e) => setText(k, e.currentTarget.value)} />
        </Field>
      ))}
    </SettingsForm>
  );
}

function NumbersForm({ settingKey, prefix }: { settingKey: string; prefix: string }) {
  const { value, status, texts, setText, save } = useRecordDraft<number>(settingKey, String, Number);
  if (!value) return <Status status={status} />;
  return (
    <SettingsForm status={status} onSave={save}>
      {Object.keys(texts).map((k) => (
        <Field key={k} label={t(`${prefix}.${k}`)}>
          <input type="number" min={1} required value={texts[k]} onInput={(e) => setText(k, e.currentTarget.value)} />
        </Field>
      ))}
    </SettingsForm>
  );
}

export function ServiceForm() {
  return (
    <div class="stack">
      <NumbersForm settingKey="serviceLevel" prefix="ad.sl" />
      <NumbersForm settingKey="retention" prefix="ad.ret" />
      <NumbersForm settingKey="channelWeights" prefix="ad.cw" />
      <NumbersForm settingKey="channelTargets" prefix="ad.ct" />
    </div>
  );
}
