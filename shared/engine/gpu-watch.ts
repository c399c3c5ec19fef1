/**
 * Learns about GPU device loss inside the worker. WebLLM creates its GPUDevice internally and only logs a loss
 * (then unloads); to turn a loss into a typed `device-lost` error Liuhen wraps `GPUAdapter.prototype
 * .requestDevice` in the worker's own global scope, so every device WebLLM creates is watched. Intentional
 * teardown (`reason: 'destroyed'`, from unload) is ignored.
 */

/** GPUDeviceLostInfo. */
export interface DeviceLostInfo {
  reason: string;
  message: string;
}

interface DeviceLike {
  lost?: Promise<{ reason?: string; message?: string }>;
}

const WRAPPED = Symbol.for('liuhen.requestDevice.wrapped');

/**
 * Calls `onLost` whenever a device created in `scope` is lost for a reason other than `destroyed`.
 * Returns false where WebGPU is absent (nothing to watch).
 */
export function watchGpuDeviceLoss(onLost: (info: DeviceLostInfo) => void, scope: object = globalThis): boolean {
  const ctor = (scope as { GPUAdapter?: { prototype?: Record<PropertyKey, unknown> } }).GPUAdapter;
  const proto = ctor?.prototype;
  const original = proto?.requestDevice;
  if (!proto || typeof original !== 'function') return false;
  if ((original as unknown as Record<symbol, unknown>)[WRAPPED]) return true;
  const wrapped = async function (this: unknown, ...args: unknown[]): Promise<unknown> {
    const device = (await (original as (...a: unknown[]) => Promise<unknown>).apply(this, args)) as DeviceLike;
    device.lost?.then(
      (info) => {
        if (info.reason !== 'destroyed') onLost({ reason: info.reason ?? 'unknown', message: info.message ?? '' });
      },
      () => undefined,
    );
    return device;
  };
  (wrapped as unknown as Record<symbol, unknown>)[WRAPPED] = true;
  proto.requestDevice = wrapped;
  return true;
}
