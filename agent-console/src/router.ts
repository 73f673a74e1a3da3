// A tiny hash router: '#/counsellor/abc' → path '/counsellor/abc'.
import { useEffect, useState } from 'preact/hooks';

export function currentPath(): string {
  const h = location.hash.replace(/^#/, '');
  return h.startsWith('/') ? h : '/' + h;
}

export function navigate(path: string): void {
  location.hash = '#' + path;
}

export function usePath(): string {
  const [path, setPath] = useState(currentPath());
  useEffect(() => {
    const on = () => setPath(currentPath());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return path;
}

/** True when `path` is `base` or below it. */
export function matches(base: string, path: string): boolean {
  return path === base || path.startsWith(base.endsWith('/') ? base : base + '/');
}
