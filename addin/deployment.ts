/**
 * What an admin deploys beside the task pane and the playground: `model-records.json` (company models,
 * shared/engine/registry/file.ts) and `templates.json` (company templates, shared/templates/deployment.ts). The build
 * always writes both (empty defaults from addin/deployment-defaults/, replaced by the admin's files in deploy/),
 * so a page load requests them without a 404.
 */
import type { ModelPreference } from '../shared/engine/capabilities';
import type { ModelRegistry } from '../shared/engine/model-record';
import { loadRegistryFile } from '../shared/engine/registry/file';
import { loadTemplateFiles } from '../shared/templates/deployment';
import type { Template } from '../shared/templates/schema';

/** The deployment's models and templates, and any problems, ready for `mountPanel`. */
export interface Deployment {
  registry: ModelRegistry;
  modelPreference: ModelPreference;
  registryProblems: string[];
  templates: Template[];
  templateProblems: string[];
}

/** Loads both deployment files (beside the page by default), in parallel. */
export async function loadDeployment(urls: { models?: string; templates?: string } = {}): Promise<Deployment> {
  const [models, templates] = await Promise.all([loadRegistryFile(urls.models ?? './model-records.json'), loadTemplateFiles(urls.templates ?? './templates.json')]);
  return {
    registry: models.registry,
    modelPreference: models.preference,
    registryProblems: models.problems,
    templates: templates.templates,
    templateProblems: templates.problems,
  };
}
