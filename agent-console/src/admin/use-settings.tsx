// Load one settings key and save changes to it (PUT /api/admin/settings/:key).
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api.js';
import { t, errorText } from '../i18n/index.js';

export function useSetting<T>(key: string) {
  const [value, setValue] = useState<T | null>(null);
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => {
    api
      .get<Record<string, unknown>>('/api/admin/settings')
      .then((all) => setValue(all[key] as T))
      .catch(() => setStatus({ ok: false, text: t('common.error') }));
  }, [key]);
  const save = async (patch: Partial<T>) => {
    setStatus(null);
    try {
      setValue(await api.put<T>(`/api/admin/settings/${key}`, patch));
      setStatus({ ok: true, text: t('ad.saved') });
    } catch (err) {
      setStatus({ ok: false, text: err instanceof ApiError ? errorText(err) : t('common.error') });
    }
  };
  return { value, save, status };
}

export function Status({ status }: { status: { ok: boolean; text: string } | null }) {
  return (
    <div aria-live="polite">
      {status &&
        (status.ok ? (
          <p class="ok">{status.text}</p>
        ) : (
          <p class="error" role="alert">
            {status.text}
          </p>
        ))}
    </div>
  );
}

export const lines = (s: string) =>
  s
    .split('\n')
    .map((x) => x.trim())
    .filter(Boolean);
