import { useSyncExternalStore } from 'react';

/**
 * Hash routes (#/calls/42): they work the same from a file:// page in
 * Electron and from the browser host, and survive a reload.
 */
export interface Route {
  section: string;
  id: string | null;
  params: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  const [section = '', id = null] = path.split('/');
  return { section: section || 'calls', id: id || null, params: new URLSearchParams(query) };
}

const subscribe = (cb: () => void) => {
  window.addEventListener('hashchange', cb);
  return () => window.removeEventListener('hashchange', cb);
};

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return parseRoute(hash);
}

export function navigate(section: string, id?: string | number | null, params?: Record<string, string>): void {
  const query = params && Object.keys(params).length > 0 ? `?${new URLSearchParams(params).toString()}` : '';
  window.location.hash = `#/${section}${id !== undefined && id !== null ? `/${id}` : ''}${query}`;
}

export const href = (section: string, id?: string | number | null) =>
  `#/${section}${id !== undefined && id !== null ? `/${id}` : ''}`;
