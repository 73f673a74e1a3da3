// The case record form, shared by closing a chat, logging a contact from another channel, and
// completing a saved record later (with its follow-up day).
// Required fields (who contacted, ≥1 category, summary) are checked here and by the server; the
// server's field errors are shown next to their fields too.
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  AGE_GROUPS,
  CHANNELS,
  CONTACT_TYPES,
  GENDERS,
  INSAFE_CATEGORIES,
  LIMITS,
  OUTCOMES,
  PLATFORMS,
  RISK_LEVELS,
  chiCategoriesFor,
  type CaseRecord,
  type CaseDetailResponse,
  type CaseRecordInput,
  type Channel,
  type CloseConversationResponse,
  type InsafeCategory,
} from '@helpline/shared';
import { ApiError, api } from '../api.js';
import { t, errorText } from '../i18n/index.js';
import { onLogout } from '../session.js';
import { followUpsChanged } from './follow-ups.js';

export interface CaseDraft {
  channel: Exclude<Channel, 'chat'>;
  contactType: string;
  ageGroup: string;
  gender: string;
  categories: InsafeCategory[];
  platform: string;
  riskLevel: string;
  summary: string;
  outcome: string;
  /** YYYY-MM-DD or '' (only when editing a saved record). */
  followUpOn: string;
}

export const emptyDraft = (): CaseDraft => ({ channel: 'phone', contactType: '', ageGroup: '', gender: '', categories: [], platform: '', riskLevel: '', summary: '', outcome: '', followUpOn: '' });

/** A saved record as a draft to complete. */
const draftOf = (r: CaseRecord): CaseDraft => ({
  channel: r.channel === 'chat' ? 'phone' : r.channel,
  contactType: r.contactType,
  ageGroup: r.ageGroup ?? '',
  gender: r.gender ?? '',
  categories: r.categories,
  platform: r.platform ?? '',
  riskLevel: r.riskLevel ?? '',
  summary: r.summary,
  outcome: r.outcome ?? '',
  followUpOn: r.followUpOn ?? '',
});

// Drafts survive switching between conversations and tabs (not a reload: nothing is stored on the device).
const drafts = new Map<string, CaseDraft>();
onLogout(() => drafts.clear());

type Mode = { kind: 'close'; conversationId: string } | { kind: 'contact' } | { kind: 'edit'; record: CaseRecord };
type Errors = Partial<Record<'contactType' | 'categories' | 'summary' | 'form', string>>;

function toInput(d: CaseDraft): CaseRecordInput {
  const opt = <K extends string>(v: string) => (v ? (v as K) : undefined);
  const input: CaseRecordInput = { contactType: d.contactType as CaseRecordInput['contactType'], categories: d.categories, summary: d.summary.trim() };
  const rest = { ageGroup: opt(d.ageGroup), gender: opt(d.gender), platform: opt(d.platform), riskLevel: opt(d.riskLevel), outcome: opt(d.outcome) };
  for (const [k, v] of Object.entries(rest)) if (v) (input as unknown as Record<string, string>)[k] = v;
  return input;
}

function validate(d: CaseDraft): Errors {
  const e: Errors = {};
  if (!d.contactType) e.contactType = t('case.err.contactType');
  if (!d.categories.length) e.categories = t('case.err.categories');
  if (!d.summary.trim()) e.summary = t('case.err.summary');
  return e;
}

function Select({ name, label, values, prefix, value, onChange, error }: { name: string; label: string; values: readonly string[]; prefix: string; value: string; onChange: (v: string) => void; error?: string }) {
  return (
    <label>
      {label}
      <select name={name} value={value} aria-invalid={error ? true : undefined} aria-describedby={error ? `${name}-err` : undefined} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">{t('case.choose')}</option>
        {values.map((v) => (
          <option key={v} value={v}>
            {t(prefix + v)}
          </option>
        ))}
      </select>
      {error && (
        <span class="field-error" id={`${name}-err`}>
          {error}
        </span>
      )}
    </label>
  );
}

export function CaseForm({ mode, onDone }: { mode: Mode; onDone: (r: CaseRecord) => void }) {
  const key = mode.kind === 'close' ? mode.conversationId : mode.kind === 'edit' ? `edit:${mode.record.id}:${mode.record.updatedAt}` : '__contact__';
  const [draft, setDraftState] = useState<CaseDraft>(() => drafts.get(key) ?? (mode.kind === 'edit' ? draftOf(mode.record) : emptyDraft()));
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  // Keyboard and screen-reader users land on the first field to correct.
  useEffect(() => {
    if (!errors.form) return;
    const first = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    (first?.tagName === 'FIELDSET' ? first.querySelector<HTMLElement>('input') : first)?.focus();
  }, [errors]);
  const set = (patch: Partial<CaseDraft>) => {
    const next = { ...draft, ...patch };
    drafts.set(key, next);
    setDraftState(next);
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    const local = validate(draft);
    if (Object.keys(local).length) {
      setErrors({ ...local, form: t('case.fixErrors') });
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      const input = toInput(draft);
      const record =
        mode.kind === 'close'
          ? (await api.post<CloseConversationResponse>(`/api/conversations/${mode.conversationId}/close`, input)).caseRecord
          : mode.kind === 'edit'
            ? (await api.put<CaseDetailResponse>(`/api/cases/${mode.record.id}`, { record: input, followUpOn: draft.followUpOn || null })).caseRecord
            : await api.post<CaseRecord>('/api/contacts', { ...input, channel: draft.channel });
      drafts.delete(key);
      setDraftState(mode.kind === 'edit' ? draftOf(record) : emptyDraft());
      if (mode.kind === 'edit') followUpsChanged();
      onDone(record);
    } catch (err) {
      if (err instanceof ApiError && err.fields.length) {
        const fe: Errors = { form: t('case.fixErrors') };
        for (const f of err.fields) {
          const k = f.path.split('.')[0] as keyof Errors;
          if (k === 'contactType' || k === 'categories' || k === 'summary') fe[k] = t('case.err.' + k);
        }
        setErrors(fe);
      } else setErrors({ form: err instanceof ApiError ? errorText(err) : t('common.error') });
    } finally {
      setBusy(false);
    }
  };

  const toggle = (c: InsafeCategory) => set({ categories: draft.categories.includes(c) ? draft.categories.filter((x) => x !== c) : [...draft.categories, c] });
  const chi = chiCategoriesFor(draft.categories);

  return (
    <form ref={formRef} class="case-form" onSubmit={submit} noValidate aria-label={t('case.title')}>
      {mode.kind === 'contact' && (
        <Select name="channel" label={t('case.channel')} values={CHANNELS.filter((c) => c !== 'chat')} prefix="channel." value={draft.channel} onChange={(v) => set({ channel: (v || 'phone') as CaseDraft['channel'] })} />
      )}
      <div class="grid-form">
        <Select name="contactType" label={`${t('case.contactType')} *`} values={CONTACT_TYPES} prefix="contactType." value={draft.contactType} onChange={(v) => set({ contactType: v })} error={errors.contactType} />
        <Select name="ageGroup" label={t('case.ageGroup')} values={AGE_GROUPS} prefix="ageGroup." value={draft.ageGroup} onChange={(v) => set({ ageGroup: v })} />
        <Select name="gender" label={t('case.gender')} values={GENDERS} prefix="gender." value={draft.gender} onChange={(v) => set({ gender: v })} />
        <Select name="platform" label={t('case.platform')} values={PLATFORMS} prefix="platform." value={draft.platform} onChange={(v) => set({ platform: v })} />
        <Select name="riskLevel" label={t('case.riskLevel')} values={RISK_LEVELS} prefix="risk." value={draft.riskLevel} onChange={(v) => set({ riskLevel: v })} />
        <Select name="outcome" label={t('case.outcome')} values={OUTCOMES} prefix="outcome." value={draft.outcome} onChange={(v) => set({ outcome: v })} />
      </div>
      <fieldset class="categories" aria-invalid={errors.categories ? true : undefined} aria-describedby={errors.categories ? 'categories-err' : undefined}>
        <legend>{t('case.categories')} *</legend>
        {INSAFE_CATEGORIES.map((c) => (
          <label key={c} class="check">
            <input type="checkbox" name="categories" value={c} checked={draft.categories.includes(c)} onChange={() => toggle(c)} />
            {t('cat.' + c)}
          </label>
        ))}
        {errors.categories && (
          <span class="field-error" id="categories-err">
            {errors.categories}
          </span>
        )}
      </fieldset>
      <p class="chi" aria-live="polite">
        <span class="muted">{t('case.chi')}: </span>
        <span data-testid="chi">{chi.length ? chi.map((c) => t('chi.' + c)).join(', ') : t('common.none')}</span>
      </p>
      <label>
        {t('case.summary')} *
        <textarea
          name="summary"
          rows={4}
          maxLength={LIMITS.summaryMaxChars}
          value={draft.summary}
          aria-invalid={errors.summary ? true : undefined}
          aria-describedby={errors.summary ? 'summary-err' : undefined}
          onInput={(e) => set({ summary: e.currentTarget.value })}
        />
        {errors.summary && (
          <span class="field-error" id="summary-err">
            {errors.summary}
          </span>
        )}
      </label>
      {mode.kind === 'edit' && (
        <label>
          {t('followUp.on')}
          <input type="date" name="followUpOn" value={draft.followUpOn} aria-describedby="follow-up-hint" onInput={(e) => set({ followUpOn: e.currentTarget.value })} />
          <span class="muted small" id="follow-up-hint">
            {t('followUp.hint')}
          </span>
        </label>
      )}
      {errors.form && (
        <p class="error" role="alert">
          {errors.form}
        </p>
      )}
      <button type="submit" class="primary" disabled={busy}>
        {mode.kind === 'close' ? t('case.submitClose') : mode.kind === 'edit' ? t('case.submitEdit') : t('case.submitLog')}
      </button>
    </form>
  );
}
