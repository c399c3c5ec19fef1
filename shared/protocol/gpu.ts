/**
 * WebGPU as a page or worker found it: plain data that crosses the engine worker's and the webview's protocols.
 * Declared here, below shared/engine (which detects it, capabilities.ts), so that protocol types never import
 * the engine: shared/engine depends on shared/protocol, never the other way round.
 */

/** What was found. Plain data: it can be posted, logged and shown on the diagnostics page. */
export interface GpuCapabilities {
  /** `navigator.gpu` exists. */
  webgpu: boolean;
  /** The page is a secure context (WebGPU needs https or localhost). */
  secureContext: boolean;
  /** An adapter was returned. */
  adapter: boolean;
  /** Why the adapter request failed, if it threw. */
  adapterError?: string;
  /** The adapter offers `shader-f16` (needed by q4f16 models). */
  shaderF16: boolean;
  /** All adapter features. */
  features: string[];
  limits?: {
    maxBufferSize: number;
    maxStorageBufferBindingSize: number;
    maxComputeWorkgroupStorageSize?: number;
    maxStorageBuffersPerShaderStage?: number;
    maxComputeInvocationsPerWorkgroup?: number;
  };
  adapterInfo?: { vendor: string; architecture: string; device: string; description: string };
  /** A software renderer (e.g. SwiftShader): it works, but slowly. */
  isFallbackAdapter: boolean;
}
