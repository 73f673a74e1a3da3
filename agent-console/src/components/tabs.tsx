// Accessible tabs: ←/→ move between tabs, the panel follows.
import type { ComponentChildren } from 'preact';
import { useRef } from 'preact/hooks';

export function Tabs<K extends string>({ label, tabs, active, onChange, idPrefix, children }: { label: string; tabs: { key: K; label: string }[]; active: K; onChange: (k: K) => void; idPrefix: string; children: ComponentChildren }) {
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    e.preventDefault();
    const i = tabs.findIndex((x) => x.key === active);
    const next = tabs[(i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length]!;
    onChange(next.key);
    refs.current[next.key]?.focus();
  };
  return (
    <div class="tabs">
      <div role="tablist" aria-label={label} onKeyDown={onKey}>
        {tabs.map((x) => (
          <button
            key={x.key}
            ref={(el) => void (refs.current[x.key] = el)}
            type="button"
            role="tab"
            id={`${idPrefix}-tab-${x.key}`}
            aria-selected={x.key === active}
            aria-controls={`${idPrefix}-panel`}
            tabIndex={x.key === active ? 0 : -1}
            onClick={() => onChange(x.key)}
          >
            {x.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${idPrefix}-panel`} aria-labelledby={`${idPrefix}-tab-${active}`} class="tabpanel">
        {children}
      </div>
    </div>
  );
}
