// What the widget keeps on the device, all in the iframe's sessionStorage (gone with the tab, and
// wiped by quick exit). Some browsers refuse storage in third-party frames: then memory only.
const PREFIX = 'hl.';
const memory = new Map<string, string>();
/** After a quick exit nothing is written again (a late draft, "open" or "seen" would outlive the wipe). */
let wiped = false;

function store(): Storage | null {
  try {
    const s = window.sessionStorage;
    s.getItem('x');
    return s;
  } catch {
    return null;
  }
}

export const storage = {
  get(key: string): string | null {
    const s = store();
    return s ? s.getItem(PREFIX + key) : (memory.get(key) ?? null);
  },
  set(key: string, value: string | null): void {
    if (wiped) return;
    const s = store();
    try {
      if (value === null) {
        s?.removeItem(PREFIX + key);
        memory.delete(key);
      } else if (s) s.setItem(PREFIX + key, value);
      else memory.set(key, value);
    } catch {
      if (value !== null) memory.set(key, value);
    }
  },
  getJson<T>(key: string, fallback: T): T {
    try {
      const v = storage.get(key);
      return v ? (JSON.parse(v) as T) : fallback;
    } catch {
      return fallback;
    }
  },
  setJson(key: string, value: unknown): void {
    storage.set(key, JSON.stringify(value));
  },
  /** Quick exit: everything this origin stored in this tab and on the device. */
  wipe(): void {
    wiped = true;
    memory.clear();
    for (const get of [() => window.sessionStorage, () => window.localStorage]) {
      try {
        get().clear();
      } catch {
        /* storage unavailable: nothing to clear */
      }
    }
  },
};
