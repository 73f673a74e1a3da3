// Forms for the centre's settings keys: hours, widget, risk words, service level and retention.
import { useEffect, useState } from 'preact/hooks';
import { LANGUAGES, type Language } from '@helpline/shared';
import { t } from '../i18n/index.js';
import { lines, Status, useSetting } from './use-settings.js';

interface Hours {
  timeZone: string;
  weekly: Record<string, [string, string][]>;
  holidays: string[];
  enforced: boolean;
}
interface Widget {
  centreName: string;
  primaryColor: string;
  phoneLine: string;
  email: string;
  hoursText: string;
  exitUrl: string;
  languages: Language[];
  defaultLanguage: Language;
  allowedOrigins: string[];
}
type Numbers = Record<string, number>;

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

export function HoursForm() {
  const { value, save, status } = useSetting<Hours>('hours');
  const [tz, setTz] = useState('');
  const [enforced, setEnforced] = useState(false);
  const [days, setDays] = useState<Record<string, string>>({});
  const [holidays, setHolidays] = useState('');
  useEffect(() => {
    if (!value) return;
    setTz(value.timeZone);
    setEnforced(value.enforced);
    setDays(Object.fromEntries(DAYS.map((d) => [d, rangesText(value.weekly[d])])));
    setHolidays(value.holidays.join('\n'));
  }, [value]);
  if (!value) return <Status status={status} />;
  return (
    <form
      class="grid-form"
      onSubmit={(e) => {
        e.preventDefault();
        void save({ timeZone: tz, enforced, weekly: Object.fromEntries(DAYS.map((d) => [d, parseRanges(days[d] ?? '')])), holidays: lines(holidays) });
      }}
    >
      <label>
        {t('ad.hours.timeZone')}
        <input required value={tz} onInput={(e) => setTz(e.currentTarget.value)} />
      </label>
      <label class="check">
        <input type="checkbox" checked={enforced} onChange={(e) => setEnforced(e.currentTarget.checked)} />
        {t('ad.hours.enforced')}
      </label>
      {DAYS.map((d) => (
        <label key={d}>
          {t('ad.hours.day', { day: t(`ad.day.${d}`) })}
          <input value={days[d] ?? ''} onInput={(e) => setDays({ ...days, [d]: e.currentTarget.value })} />
        </label>
      ))}
      <label>
        {t('ad.hours.holidays')}
        <textarea rows={5} value={holidays} onInput={(e) => setHolidays(e.currentTarget.value)} />
      </label>
      <button type="submit" class="primary">
        {t('common.save')}
      </button>
      <Status status={status} />
    </form>
  );
}

export function WidgetForm() {
  const { value, save, status } = useSetting<Widget>('widget');
  const [w, setW] = useState<Widget | null>(null);
  const [origins, setOrigins] = useState('');
  useEffect(() => {
    if (!value) return;
    setW(value);
    setOrigins(value.allowedOrigins.join('\n'));
  }, [value]);
  if (!w) return <Status status={status} />;
  const text = (k: 'centreName' | 'phoneLine' | 'email' | 'hoursText' | 'exitUrl', type = 'text') => (
    <label key={k}>
      {t(`ad.widget.${k}`)}
      <input type={type} value={w[k]} onInput={(e) => setW({ ...w, [k]: e.currentTarget.value })} />
    </label>
  );
  return (
    <form
      class="grid-form"
      onSubmit={(e) => {
        e.preventDefault();
        void save({ ...w, allowedOrigins: lines(origins) });
      }}
    >
      {text('centreName')}
      <label>
        {t('ad.widget.primaryColor')}
        <input type="color" value={w.primaryColor} onInput={(e) => setW({ ...w, primaryColor: e.currentTarget.value })} />
      </label>
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
      <label>
        {t('ad.widget.defaultLanguage')}
        <select value={w.defaultLanguage} onChange={(e) => setW({ ...w, defaultLanguage: e.currentTarget.value as Language })}>
          {w.languages.map((l) => (
            <option key={l} value={l}>
              {t(`language.${l}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('ad.widget.allowedOrigins')}
        <textarea rows={4} value={origins} onInput={(e) => setOrigins(e.currentTarget.value)} />
      </label>
      <button type="submit" class="primary">
        {t('common.save')}
      </button>
      <Status status={status} />
    </form>
  );
}

export function RiskWordsForm() {
  const { value, save, status } = useSetting<Record<string, string[]>>('riskWords');
  const [lists, setLists] = useState<Record<string, string>>({});
  useEffect(() => {
    if (value) setLists(Object.fromEntries(Object.entries(value).map(([k, v]) => [k, v.join('\n')])));
  }, [value]);
  if (!value) return <Status status={status} />;
  return (
    <form
      class="grid-form"
      onSubmit={(e) => {
        e.preventDefault();
        void save(Object.fromEntries(Object.entries(lists).map(([k, v]) => [k, lines(v)])));
      }}
    >
      <p class="small">{t('ad.risk.help')}</p>
      {Object.keys(lists).map((k) => (
        <label key={k}>
          {t('ad.risk.list', { lang: t(`language.${k}`) })}
          <textarea rows={6} value={lists[k]} onInput={(e) => setLists({ ...lists, [k]: e.currentTarget.value })} />
        </label>
      ))}
      <button type="submit" class="primary">
        {t('common.save')}
      </button>
      <Status status={status} />
    </form>
  );
}

function NumbersForm({ settingKey, prefix }: { settingKey: string; prefix: string }) {
  const { value, save, status } = useSetting<Numbers>(settingKey);
  const [v, setV] = useState<Record<string, string>>({});
  useEffect(() => {
    if (value) setV(Object.fromEntries(Object.entries(value).map(([k, n]) => [k, String(n)])));
  }, [value]);
  if (!value) return <Status status={status} />;
  return (
    <form
      class="grid-form"
      onSubmit={(e) => {
        e.preventDefault();
        void save(Object.fromEntries(Object.entries(v).map(([k, n]) => [k, Number(n)])));
      }}
    >
      {Object.keys(v).map((k) => (
        <label key={k}>
          {t(`${prefix}.${k}`)}
          <input type="number" min={1} required value={v[k]} onInput={(e) => setV({ ...v, [k]: e.currentTarget.value })} />
        </label>
      ))}
      <button type="submit" class="primary">
        {t('common.save')}
      </button>
      <Status status={status} />
    </form>
  );
}

export function ServiceForm() {
  return (
    <div class="stack">
      <NumbersForm settingKey="serviceLevel" prefix="ad.sl" />
      <NumbersForm settingKey="retention" prefix="ad.ret" />
    </div>
  );
}
