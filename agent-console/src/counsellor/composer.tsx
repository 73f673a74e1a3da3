// The message box. Typing "/" opens the canned responses of the conversation's language, filtered as
// you type; ↑/↓ choose, Enter or Tab inserts, Esc closes the list. The "Canned responses" button
// beside it opens the same responses with a search field (canned-picker.tsx).
import { useEffect, useRef, useState } from 'preact/hooks';
import type { CannedResponse, Language } from '@helpline/shared';
import { LIMITS } from '@helpline/shared';
import { t } from '../i18n/index.js';
import { cannedFor, filterCanned } from './canned.js';
import { replaceSlashQuery, slashQuery } from './text.js';
import { CannedOptions, CannedPicker, insertAt } from './canned-picker.js';

interface Props {
  conversationId: string;
  language: Language;
  disabled: boolean;
  draft: string;
  setDraft: (s: string) => void;
  onSend: (body: string) => void;
  onTyping: (typing: boolean) => void;
}

export function Composer({ conversationId, language, disabled, draft, setDraft, onSend, onTyping }: Props) {
  const [canned, setCanned] = useState<CannedResponse[]>([]);
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState(false);
  const typingRef = useRef<{ on: boolean; timer: ReturnType<typeof setTimeout> | null }>({ on: false, timer: null });
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const listId = `canned-${conversationId}`;

  useEffect(() => {
    let live = true;
    cannedFor(language)
      .then((l) => live && setCanned(l))
      .catch(() => live && setCanned([]));
    return () => {
      live = false;
    };
  }, [language]);

  const query = dismissed ? null : slashQuery(draft);
  const matches = query === null ? [] : filterCanned(canned, query);
  const open = query !== null;
  const activeIdx = Math.min(active, Math.max(0, matches.length - 1));

  const stopTyping = () => {
    const s = typingRef.current;
    if (s.timer) clearTimeout(s.timer);
    s.timer = null;
    if (s.on) {
      s.on = false;
      onTyping(false);
    }
  };
  useEffect(() => stopTyping, [conversationId]);

  const input = (value: string) => {
    setDraft(value);
    setDismissed(false);
    setActive(0);
    const s = typingRef.current;
    if (!s.on && value.trim()) {
      s.on = true;
      onTyping(true);
    }
    if (s.timer) clearTimeout(s.timer);
    s.timer = setTimeout(stopTyping, 3000);
  };

  const insert = (c: CannedResponse) => {
    setDraft(replaceSlashQuery(draft, c.body));
    setDismissed(true);
    inputRef.current?.focus();
  };

  /** From the button: at the caret of the message box, which keeps its place while the list has the focus. */
  const pick = (c: CannedResponse) => {
    const box = inputRef.current;
    const at = box ? box.selectionStart : draft.length;
    const next = insertAt(draft, c.body, at);
    setDraft(next);
    setDismissed(true);
    const caret = next.length - (draft.length - at);
    requestAnimationFrame(() => {
      box?.focus();
      box?.setSelectionRange(caret, caret);
    });
  };

  const send = () => {
    const body = draft.trim();
    if (!body || disabled) return;
    stopTyping();
    onSend(body);
    setDraft('');
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (open && matches.length) {
      if (e.key === 'ArrowDown') {
        e.preventDefault();
        setActive((activeIdx + 1) % matches.length);
        return;
      }
      if (e.key === 'ArrowUp') {
        e.preventDefault();
        setActive((activeIdx - 1 + matches.length) % matches.length);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        insert(matches[activeIdx]!);
        return;
      }
    }
    if (open && e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      setDismissed(true);
      return;
    }
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      send();
    }
  };

  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      {open && (
        <ul class="canned-list" id={listId} role="listbox" aria-label={t('canned.list')}>
          {matches.length === 0 && <li class="muted">{t('canned.none')}</li>}
          <CannedOptions listId={listId} matches={matches} activeIdx={activeIdx} onPick={insert} />
        </ul>
      )}
      <label class="visually-hidden" for={`composer-${conversationId}`}>
        {t('chat.composer')}
      </label>
      <textarea
        id={`composer-${conversationId}`}
        ref={inputRef}
        rows={3}
        maxLength={LIMITS.messageMaxChars}
        value={draft}
        disabled={disabled}
        placeholder={t('chat.sendHint')}
        aria-label={t('chat.composer')}
        aria-controls={open ? listId : undefined}
        // A textarea is a textbox, which may not carry aria-expanded (axe: aria-allowed-attr); the list it
        // controls is announced through aria-controls and the active option.
        aria-autocomplete="list"
        aria-activedescendant={open && matches.length ? `${listId}-${activeIdx}` : undefined}
        onInput={(e) => input(e.currentTarget.value)}
        onKeyDown={onKeyDown}
        onBlur={stopTyping}
      />
      <CannedPicker id={`canned-pick-${conversationId}`} canned={canned} disabled={disabled} onPick={pick} />
      <button type="submit" class="primary" disabled={disabled || !draft.trim()}>
        {t('chat.send')}
      </button>
    </form>
  );
}
