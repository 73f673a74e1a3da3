// Shared pieces of the admin list editors (canned responses, institutions): a table of items with
// edit/delete buttons, and a form that adds a new item or saves the one being edited.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError, api } from '../api.js';
import { t, errorText as i18nErrorText } from '../i18n/index.js';

interface Editing<I> {
  id: string | null;
  input: I;
}

/** Edit state of one list: the item being edited (id null = a new one), its last error, and save. */
export function useListEditor<I>({
  blank,
  endpoint,
  toBody = (input) => input,
  afterSave,
  errorText = (err) => (err instanceof ApiError ? i18nErrorText(err) : t('common.error')),
}: {
  blank: () => I;
  /** Collection path; an existing item is saved with PUT `${endpoint}/${id}`, a new one with POST. */
  endpoint: string;
  toBody?: (input: I) => unknown;
  /** Runs after a successful save, once the form is back to a blank item (e.g. reload the list). */
  afterSave: () => unknown;
  errorText?: (err: unknown) => string;
}) {
  const [editing, setEditing] = useState<Editing<I>>(() => ({ id: null, input: blank() }));
  const [error, setError] = useState<string | null>(null);
  const set = (patch: Partial<I>) => setEditing((e) => ({ ...e, input: { ...e.input, ...patch } }));
  const edit = (id: string, input: I) => setEditing({ id, input });
  const reset = () => setEditing({ id: null, input: blank() });
  const save = async (e: Event) => {
    e.preventDefault();
    setError(null);
    const body = toBody(editing.input);
    try {
      if (editing.id) await api.put(`${endpoint}/${editing.id}`, body);
      else await api.post(endpoint, body);
      reset();
      await afterSave();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return { editing, set, edit, reset, save, error, setError };
}

/** The list: one header per column, then an actions column with "Edit: name" (and "Delete: name"). */
export function ListTable<T extends { id: string }>({
  headers,
  items,
  cells,
  name,
  onEdit,
  onDelete,
  actionsClass,
}: {
  headers: string[];
  items: T[];
  /** The item's data cells (<td>s), in the order of `headers`. */
  cells: (item: T) => ComponentChildren;
  /** What the action buttons' accessible names refer to. */
  name: (item: T) => string;
  onEdit: (item: T) => void;
  onDelete?: (item: T) => void;
  actionsClass?: string;
}) {
  return (
    <table class="list">
      <thead>
        <tr>
          {headers.map((h) => (
            <th key={h}>{h}</th>
          ))}
          <th />
        </tr>
      </thead>
      <tbody>
        {items.map((item) => (
          <tr key={item.id}>
            {cells(item)}
            <td class={actionsClass}>
              <button type="button" aria-label={`${t('common.edit')}: ${name(item)}`} onClick={() => onEdit(item)}>
                {t('common.edit')}
              </button>
              {onDelete && (
                <button type="button" class="danger" aria-label={`${t('common.delete')}: ${name(item)}`} onClick={() => onDelete(item)}>
                  {t('common.delete')}
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The add/edit form: its fields, the error (as an alert), "Add" or "Save", and "Cancel" while editing. */
export function EditorForm({
  label,
  editingId,
  error,
  onSubmit,
  onCancel,
  children,
}: {
  label: string;
  editingId: string | null;
  error: string | null;
  onSubmit: (e: Event) => void;
  onCancel: () => void;
  children: ComponentChildren;
}) {
  return (
    <form class="card grid-form" onSubmit={onSubmit} aria-label={label}>
      {children}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="row">
        <button type="submit" class="primary">
          {editingId ? t('common.save') : t('common.add')}
        </button>
        {editingId && (
          <button type="button" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}
