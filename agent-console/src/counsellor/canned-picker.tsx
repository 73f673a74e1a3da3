// The composer's "Canned responses" button: a list of the conversation's language with a search field,
// for those who do not remember the shortcuts. Keyboard: the button opens it with the search field
// focused; ↑/↓ choose, Enter inserts, Esc closes and gives the focus back to the button.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { CannedResponse } from '@helpline/shared';
import { t } from '../i18n/index.js';
import { filterCanned } from './canned.js';

interface Props {
  id: string;
  canned: readonly CannedResponse[];
  disabled: boolean;
  onPick: (c: CannedResponse) => void;
}

export function CannedPicker({ id, canned, disabled, onPick }: Props) {
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const listId = `${id}-list`;
  const matches = filterCanned(canned, query.replace(/^\//, ''));
  const activeIdx = Math.min(active, Math.max(0, matches.length - 1));

  useEffect(() => {
    if (open) searchRef.current?.focus();
  }, [open]);

  const close = (focusButton: boolean) => {
    setOpen(false);
    setQuery('');
    setActive(0);
    if (focusButton) buttonRef.current?.focus();
  };
  const pick = (c: CannedResponse) => {
    close(false);
    onPick(c);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      close(true);
    } else if (e.key === 'ArrowDown' && matches.length) {
      e.preventDefault();
      setActive((activeIdx + 1) % matches.length);
    } else if (e.key === 'ArrowUp' && matches.length) {
      e.preventDefault();
      setActive((activeIdx - 1 + matches.length) % matches.length);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      if (matches[activeIdx]) pick(matches[activeIdx]);
    }
  };

  return (
    <div class="canned-picker">
      <button
        type="button"
        ref={buttonRef}
        disabled={disabled}
        aria-expanded={open}
        aria-controls={open ? `${id}-panel` : undefined}
        onClick={() => (open ? close(true) : setOpen(true))}
      >
        {t('canned.open')}
      </button>
      {open && (
        <div class="canned-panel" id={`${id}-panel`} role="group" aria-label={t('canned.list')}>
          <input
            ref={searchRef}
            type="text"
            role="combobox"
            aria-label={t('canned.search')}
            aria-expanded="true"
            aria-controls={listId}
            aria-autocomplete="list"
            aria-activedescendant={matches.length ? `${listId}-${activeIdx}` : undefined}
            value={query}
            onInput={(e) => {
              setQuery(e.currentTarget.value);
              setActive(0);
            }}
            onKeyDown={onKeyDown}
          />
          <ul class="canned-list canned-list-static" id={listId} role="listbox" aria-label={t('canned.list')}>
            {matches.length === 0 && (
              <li class="muted" role="presentation">
                {t('canned.none')}
              </li>
            )}
            <CannedOptions listId={listId} matches={matches} activeIdx={activeIdx} onPick={pick} />
          </ul>
        </div>
      )}
    </div>
  );
}

/** `text` with `insert` put at the caret (`at`), with a space between words. */
/** The options of a canned-response listbox (the "/" picker's and the button's): shortcut, title, preview. */
export function CannedOptions({ listId, matches, activeIdx, onPick }: { listId: string; matches: CannedResponse[]; activeIdx: number; onPick: (c: CannedResponse) => void }) {
  return (
    <>
      {matches.map((c, i) => (
        <li
          key={c.id}
          id={`${listId}-${i}`}
          role="option"
          aria-selected={i === activeIdx}
          class={i === activeIdx ? 'active' : ''}
          onMouseDown={(e) => {
            e.preventDefault();
            onPick(c);
          }}
        >
          <strong>/{c.shortcut}</strong> <span>{c.title}</span>
          <span class="muted canned-preview">{c.body}</span>
        </li>
      ))}
    </>
  );
}

export function insertAt(text: string, insert: string, at: number): string {
  const pos = Math.max(0, Math.min(at, text.length));
  const before = text.slice(0, pos);
  const after = text.slice(pos);
  const gap = before && !/\s$/.test(before) ? ' ' : '';
  return before + gap + insert + (after && !/^\s/.test(after) ? ' ' : '') + after;
}
