// Transfer to another counsellor or back to the queue; the note travels with the conversation.
import { useEffect, useState } from 'preact/hooks';
import { LANGUAGES, type Language, type StaffDirectoryEntry, type StaffDirectoryResponse, type TransferTarget } from '@helpline/shared';
import { api } from '../api.js';
import { t, errorText, loadText } from '../i18n/index.js';
import { useSession } from '../session.js';
import { Dialog } from '../components/dialog.js';
import type { WorkspaceActions } from './store.js';

export function TransferDialog({ conversationId, actions, onClose, onDone }: { conversationId: string; actions: WorkspaceActions; onClose: () => void; onDone: () => void }) {
  const { profile } = useSession();
  const [staff, setStaff] = useState<StaffDirectoryEntry[]>([]);
  const [kind, setKind] = useState<'staff' | 'queue'>('staff');
  const [staffId, setStaffId] = useState('');
  const [language, setLanguage] = useState<Language | ''>('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);

  const [reserveMinutes, setReserveMinutes] = useState(5);

  const load = () =>
    api
      .get<StaffDirectoryResponse>('/api/staff/counsellors')
      .then((r) => {
        setStaff(r.staff.filter((s) => s.id !== profile.id));
        setReserveMinutes(r.reserveMinutes);
      })
      .catch(() => setStaff([]));
  useEffect(() => {
    void load();
  }, []);

  const chosen = kind === 'staff' ? staff.find((s) => s.id === staffId) : undefined;
  // The server refused her (no room for this conversation's weight, say 2.5 of 3 slots and a chat).
  const [refusedFor, setRefusedFor] = useState<string | null>(null);
  const why = chosen ? (unavailableReason(chosen) ?? (refusedFor === chosen.id ? 'esc.transferWhyFull' : null)) : null;

  const send = async (reserve: boolean) => {
    if (kind === 'staff' && !staffId) return;
    const to: TransferTarget = kind === 'staff' ? { type: 'staff', staffId, ...(reserve ? { reserve: true } : {}) } : { type: 'queue', ...(language ? { language } : {}) };
    const ack = await actions.transfer(conversationId, to, note.trim());
    if (ack.ok) onDone();
    else {
      // She became busy or left meanwhile: the directory again, so the explanation and "Queue for" show.
      if (kind === 'staff' && (ack.error as { code?: string } | undefined)?.code === 'conflict') {
        await load();
        setRefusedFor(staffId);
        setError(null);
      } else setError(errorText(ack.error));
    }
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    await send(Boolean(why));
  };

  return (
    <Dialog title={t('esc.transferTitle')} onClose={onClose}>
      <form onSubmit={submit} class="dialog-form">
        <fieldset>
          <legend>{t('esc.transferTo')}</legend>
          <label class="check">
            <input type="radio" name="kind" checked={kind === 'staff'} onChange={() => setKind('staff')} />
            {t('esc.transferCounsellor')}
          </label>
          <label class="check">
            <input type="radio" name="kind" checked={kind === 'queue'} onChange={() => setKind('queue')} />
            {t('esc.transferQueue')}
          </label>
        </fieldset>
        {kind === 'staff' ? (
          <label>
            {t('esc.transferCounsellor')}
            <select value={staffId} onChange={(e) => setStaffId(e.currentTarget.value)} required>
              <option value="">{t('case.choose')}</option>
              {staff.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name} — {t('status.' + s.status)}, {loadText(s.load, s.capacity)} · {s.languages.map((l) => t('language.' + l)).join(', ')}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <label>
            {t('canned.language')}
            <select value={language} onChange={(e) => setLanguage(e.currentTarget.value as Language | '')}>
              <option value="">{t('common.none')}</option>
              {LANGUAGES.map((l) => (
                <option key={l} value={l}>
                  {t('language.' + l)}
                </option>
              ))}
            </select>
          </label>
        )}
        {chosen && why && (
          <div class="notice" id="transfer-why" role="status">
            <p>{t(why, { name: chosen.name, load: loadText(chosen.load, chosen.capacity) })}</p>
            <p class="small">{t('esc.transferReserveHelp', { minutes: reserveMinutes })}</p>
          </div>
        )}
        <label>
          {t('esc.transferNote')}
          <textarea rows={3} maxLength={2000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="row">
          <button type="submit" class="primary" aria-describedby={why ? 'transfer-why' : undefined}>
            {chosen && why ? t('esc.transferReserve', { name: chosen.name }) : t('esc.transferSubmit')}
          </button>
          <button type="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** Why a colleague cannot take a conversation now (the i18n key), or null when she can. */
export function unavailableReason(s: StaffDirectoryEntry): string | null {
  if (s.status === 'offline') return 'esc.transferWhyOffline';
  if (s.status === 'away') return 'esc.transferWhyAway';
  if (s.load >= s.capacity) return 'esc.transferWhyFull';
  return null;
}
