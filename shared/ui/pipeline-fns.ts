/**
 * The pipeline functions the panel calls, in one place so that tests and hosts can replace them and the panel
 * imports the pipeline modules exactly once.
 */
import type { InsertionPlan, PlanTarget } from '../host/port';
import type { Generate, GenerationResult } from '../pipeline/types';
import type { Template } from '../templates/schema';

/** Builds the insertion plan of one result (shared/pipeline/plan.ts). */
export type BuildPlan = (result: GenerationResult, template: Template, target: PlanTarget) => InsertionPlan;

export interface PipelineFns {
  generate: Generate;
  plan: BuildPlan;
}
