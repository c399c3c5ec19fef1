/**
 * The real pipeline, wired once. TEMPORARY until shared/pipeline/generate.ts and plan.ts land: both functions
 * reject with a clear message, so a host that mounts the panel today still paints and explains.
 */
import type { PipelineFns } from './pipeline-fns';

export const defaultPipeline: PipelineFns = {
  generate: () => Promise.reject(new Error('The generation pipeline is not available in this build yet.')),
  plan: () => {
    throw new Error('The insertion planner is not available in this build yet.');
  },
};
