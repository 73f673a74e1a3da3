// Transfer to another counsellor or back to the queue; the note travels with the conversation.
import { useEffect, useState } from 'preact/hooks';
import { LANGUAGES, type Language, type StaffDirectoryEntry, type TransferTarget } from '@helpline/shared';
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

  useEffect(() => {
    void api
      .get<{ staff: StaffDirectoryEntry[] }>('/api/staff/counsellors')
      .then((r) => setStaff(r.staff.filter((s) => s.id !== profile.id)))
      .catch(() => setStaff([]));
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (kind === 'staff' && !staffId) return;
    const to: TransferTarget = kind === 'staff' ? { type: 'staff', staffId } : { type: 'queue', ...(language ? { language } : {}) };
    const ack = await actions.transfer(conversationId, to, note.trim());
    if (ack.ok) onDone();
    else setError(errorText(ack.error));
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
                <option key={s.id} value={s.id} disabled={s.status === 'offline'}>
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
          <button type="submit" class="primary">
            {t('esc.transferSubmit')}
          </button>
          <button type="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
