// Column headers of the CSV exports in the four languages, for people who open them in a spreadsheet
// (`lang` query parameter). Without it the headers stay the stable machine names (imports, ICCAM entry).
// Values are never translated: they are the identifiers the JSON export and the protocol use.
import { toSerbianLatin, type Language } from '@helpline/shared';
import { EXPORT_COLUMNS } from '../hotline/exports.js';

type HotlineColumn = (typeof EXPORT_COLUMNS)[number];
type StatsColumn = 'section' | 'key' | 'value';
type Labels = { hotline: Record<HotlineColumn, string>; stats: Record<StatsColumn, string> };

const BASE: Record<Exclude<Language, 'sr-Latn'>, Labels> = {
  en: {
    hotline: {
      reference: 'Reference', report_id: 'Report ID', source: 'Source', status: 'Status', reported_at: 'Reported at', content_type: 'Content type', url: 'URL', normalized_url: 'Normalised URL', host: 'Host',
      classification: 'Classification', victim_age: 'Victim age', victim_gender: 'Victim gender', site_type: 'Site type', hosting_ip: 'Hosting IP', hosting_provider: 'Hosting provider', hosting_country: 'Hosting country',
      assessed_at: 'Assessed at', reused_assessment: 'Assessment taken over', forwarded_at: 'Forwarded at', removed_at: 'Removed at', actions: 'Actions',
    },
    stats: { section: 'Section', key: 'Key', value: 'Value' },
  },
  bg: {
    hotline: {
      reference: 'Номер', report_id: 'ID на сигнала', source: 'Източник', status: 'Състояние', reported_at: 'Подаден на', content_type: 'Вид съдържание', url: 'URL', normalized_url: 'Нормализиран URL', host: 'Хост',
      classification: 'Класификация', victim_age: 'Възраст на жертвата', victim_gender: 'Пол на жертвата', site_type: 'Вид сайт', hosting_ip: 'IP на хостинга', hosting_provider: 'Хостинг доставчик', hosting_country: 'Държава на хостинга',
      assessed_at: 'Оценен на', reused_assessment: 'Поета оценка', forwarded_at: 'Препратен на', removed_at: 'Премахнат на', actions: 'Действия',
    },
    stats: { section: 'Раздел', key: 'Ключ', value: 'Стойност' },
  },
  'sr-Cyrl': {
    hotline: {
      reference: 'Ознака', report_id: 'ID пријаве', source: 'Извор', status: 'Стање', reported_at: 'Пријављено', content_type: 'Врста садржаја', url: 'URL', normalized_url: 'Нормализован URL', host: 'Хост',
      classification: 'Класификација', victim_age: 'Узраст жртве', victim_gender: 'Пол жртве', site_type: 'Врста сајта', hosting_ip: 'IP хостинга', hosting_provider: 'Хостинг провајдер', hosting_country: 'Држава хостинга',
      assessed_at: 'Процењено', reused_assessment: 'Преузета процена', forwarded_at: 'Прослеђено', removed_at: 'Уклоњено', actions: 'Радње',
    },
    stats: { section: 'Одељак', key: 'Кључ', value: 'Вредност' },
  },
};

const latin = <K extends string>(r: Record<K, string>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, toSerbianLatin(v as string)])) as Record<K, string>;

export const EXPORT_HEADERS: Record<Language, Labels> = {
  ...BASE,
  'sr-Latn': { hotline: latin(BASE['sr-Cyrl'].hotline), stats: latin(BASE['sr-Cyrl'].stats) },
};
