// The API key for this tab: kept in sessionStorage (gone when the tab closes), never in the URL.
// A link `/#key=ty_...` (the demo prints one) signs in once and the key leaves the address bar.

const STORAGE_KEY = 'trainyard.apiKey';

/** The key in a `#key=...` hash, or null. */
export function keyFromHash(hash: string): string | null {
  const m = /^#key=([^&]+)/.exec(hash);
  return m ? decodeURIComponent(m[1]) : null;
}

export function storedKey(): string | null {
  return sessionStorage.getItem(STORAGE_KEY);
}

export function storeKey(key: string): void {
  sessionStorage.setItem(STORAGE_KEY, key);
}

export function forgetKey(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

/** Takes a key from the address bar (if any) and replaces the hash so it is not kept in history. */
export function takeKeyFromLocation(): string | null {
  const key = keyFromHash(location.hash);
  if (key === null) return null;
  history.replaceState(null, '', `${location.pathname}${location.search}#/runs`);
  // replaceState fires no hashchange; the router must still see the new route.
  dispatchEvent(new HashChangeEvent('hashchange'));
  return key;
}
