/** GPU reports for tests (no WebGPU needed): one that runs every built-in model, and a desk without WebGPU. */
import type { GpuCapabilities } from '../../shared/engine/capabilities';

/** A GPU with shader-f16 and room for the largest built-in model. */
export const TEST_GPU: GpuCapabilities = {
  webgpu: true,
  secureContext: true,
  adapter: true,
  shaderF16: true,
  features: ['shader-f16'],
  limits: { maxBufferSize: 2 ** 31, maxStorageBufferBindingSize: 2 ** 30, maxComputeWorkgroupStorageSize: 32768, maxStorageBuffersPerShaderStage: 10 },
  isFallbackAdapter: false,
};

/** A desk without WebGPU (Office 2019, VDI). */
export const NO_GPU: GpuCapabilities = { webgpu: false, secureContext: true, adapter: false, shaderF16: false, features: [], isFallbackAdapter: false };
