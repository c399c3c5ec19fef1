import { afterEach, describe, expect, it } from 'vitest';
import { chooseCacheBackend, requestPersistentStorage, resetPersistentStorageRequestForTests } from './cache-backend';
import { watchGpuDeviceLoss, type DeviceLostInfo } from './gpu-watch';

afterEach(() => resetPersistentStorageRequestForTests());

describe('cache backend', () => {
  it('uses the Cache API where it exists, IndexedDB otherwise', () => {
    expect(chooseCacheBackend({ caches: {}, indexedDB: {} })).toBe('cache');
    expect(chooseCacheBackend({ indexedDB: {} })).toBe('indexeddb');
  });

  it('asks for persistent storage once per page, and survives a refusal or a missing API', async () => {
    let calls = 0;
    const storage = { persist: () => (calls++, Promise.resolve(true)) };
    expect(await requestPersistentStorage(storage)).toBe(true);
    expect(await requestPersistentStorage(storage)).toBe(true);
    expect(calls).toBe(1);
    resetPersistentStorageRequestForTests();
    expect(await requestPersistentStorage({ persist: () => Promise.reject(new Error('denied')) })).toBe(false);
    resetPersistentStorageRequestForTests();
    expect(await requestPersistentStorage({})).toBe(false);
  });
});

describe('GPU device-loss watch', () => {
  function fakeScope(): { scope: object; lose: (reason: string) => Promise<void> } {
    let resolveLost!: (info: { reason: string; message: string }) => void;
    class GPUAdapter {
      requestDevice(): Promise<{ lost: Promise<{ reason: string; message: string }> }> {
        return Promise.resolve({ lost: new Promise((r) => (resolveLost = r)) });
      }
    }
    return {
      scope: { GPUAdapter },
      lose: async (reason) => {
        resolveLost({ reason, message: `lost: ${reason}` });
        await new Promise((r) => setTimeout(r, 0));
      },
    };
  }

  it('reports a real loss of any device created afterwards, ignores destroy(), wraps only once', async () => {
    const { scope, lose } = fakeScope();
    const seen: DeviceLostInfo[] = [];
    expect(watchGpuDeviceLoss((i) => seen.push(i), scope)).toBe(true);
    expect(watchGpuDeviceLoss((i) => seen.push(i), scope)).toBe(true);
    const Adapter = (scope as { GPUAdapter: new () => { requestDevice(): Promise<unknown> } }).GPUAdapter;
    await new Adapter().requestDevice();
    await lose('unknown');
    expect(seen).toEqual([{ reason: 'unknown', message: 'lost: unknown' }]);
    await new Adapter().requestDevice();
    await lose('destroyed');
    expect(seen).toHaveLength(1);
  });

  it('does nothing without WebGPU', () => {
    expect(watchGpuDeviceLoss(() => undefined, {})).toBe(false);
  });
});
