/** The real pipeline, wired once: generate() and the insertion planner from shared/pipeline. */
import { generate } from '../pipeline/generate';
import { buildPlan } from '../pipeline/plan';
import type { PipelineFns } from './pipeline-fns';

export const defaultPipeline: PipelineFns = {
  generate,
  // The plan carries the audit record: the host stores it in the same batch as the insertion.
  plan: (result, template, target) => buildPlan(result, template, target),
};
