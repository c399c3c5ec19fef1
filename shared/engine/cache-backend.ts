/**
 * Which browser storage keeps downloaded models.
 *
 * Liuhen uses WebLLM's `cache` backend (the Cache API) by default, deliberately:
 * - It is WebLLM's default and, in WebLLM's own words, its most tested backend.
 * - Each weight shard (~30 MB) is stored as its own entry as soon as it arrives, and WebLLM skips shards already
 *   stored, so a failed or interrupted download resumes on the next Load instead of starting over.
 * - A full disk surfaces as a real `QuotaExceededError` from `Cache.add()`, which Liuhen maps to a `quota`
 *   error; WebLLM's IndexedDB path wraps failures into plain strings ("Failed to store … with error: …").
 * - IndexedDB would not buy more room or sharing: both live in the same storage bucket with the same quota. In
 *   Word on the web the task pane is a third-party iframe, and browsers partition ALL its storage (Cache API and
 *   IndexedDB alike) by the top-level site, so the model is downloaded once per top-level site (and once more
 *   for desktop Word's WebView2) whichever backend is used. That is why the page asks for persistent storage
 *   (`navigator.storage.persist()`, window-only, requested once) so the browser does not evict 1–2 GB of
 *   weights under storage pressure; browsers may refuse it in a partitioned iframe, which is harmless.
 * IndexedDB remains the fallback where the Cache API does not exist (e.g. some embedded web views, or a page
 * not served over https). OPFS is newer in WebLLM and not used yet.
 */
import type { CacheBackend } from './protocol';

/** The backend to use in this context: `cache` where the Cache API exists, else `indexeddb`. */
export function chooseCacheBackend(scope: { caches?: unknown; indexedDB?: unknown } = globalThis): CacheBackend {
  if (typeof scope.caches === 'object' && scope.caches !== null) return 'cache';
  return 'indexeddb';
}

let persistRequest: Promise<boolean> | undefined;

/**
 * Asks the browser once per page to keep this site's storage (models) from eviction. Only windows have
 * `persist()`; in a worker, or where it throws, the answer is false.
 */
export function requestPersistentStorage(
  storage: { persist?: () => Promise<boolean> } | undefined = (globalThis.navigator as { storage?: { persist?: () => Promise<boolean> } } | undefined)
    ?.storage,
): Promise<boolean> {
  if (!persistRequest) {
    persistRequest =
      typeof storage?.persist === 'function' ? storage.persist().catch(() => false) : Promise.resolve(false);
  }
  return persistRequest;
}

/** Forgets the once-per-page request (tests only). */
export function resetPersistentStorageRequestForTests(): void {
  persistRequest = undefined;
}
