/**
 * A company's registry file, `model-records.json`, deployed beside the task pane (or named in the VS Code
 * settings): its merged LoRA models, validated with clear errors, added to the built-in ones. Browser-safe.
 *
 * The file is either a JSON list of WebLLM model records, or `{ "default": "<model_id>", "models": [ … ] }`,
 * where `default` makes one of them the preferred model (the writer's GPU still decides the variant), and
 * `server` declares a company inference server (shared/engine/server.ts) that then runs the model instead of
 * this computer: `{ "server": { "kind": "vllm", "base_url": "https://llm.example.com/v1", "model": "…",
 * "lora_adapter": "…" } }`.
 */
import type { ModelPreference } from '../capabilities';
import type { ModelRegistry } from '../model-record';
import { parseCompanyServer, type CompanyServer } from '../server';
import { BUILTIN_REGISTRY } from './builtin';
import { connectAllowed, connectSources, pagePolicy } from './csp-check';
import { parseCustomRecords, withCustomModels } from './custom';

/** What loading a registry file gave. */
export interface LoadedRegistry {
  /** The built-in models plus the file's valid ones. */
  registry: ModelRegistry;
  /** The file's `default`, as a preference for chooseModel. */
  preference: ModelPreference;
  /** Problems to show the writer/admin, one sentence each, naming the file; empty when all is well. */
  problems: string[];
  /** How many custom models were added. */
  added: number;
  /** The company inference server the file declares (also in `registry.server`), when it declares a valid one. */
  server?: CompanyServer;
}

/**
 * Validates a parsed registry file against `base`. Never throws: a file that is wrong is reported and the
 * built-in models stay usable.
 */
export function readRegistryFile(
  json: unknown,
  file: string,
  base: ModelRegistry = BUILTIN_REGISTRY,
  policy: { connectSrc?: readonly string[]; self?: string } = {},
): LoadedRegistry {
  const shaped = Array.isArray(json) ? { models: json as unknown[] } : (json as { default?: unknown; models?: unknown; server?: unknown } | null);
  // `{ "server": { … } }` alone is a complete file: the company server is the model.
  if (shaped && typeof shaped === 'object' && shaped.models === undefined && shaped.server !== undefined) shaped.models = [];
  if (!shaped || typeof shaped !== 'object' || !Array.isArray(shaped.models)) {
    return {
      registry: base,
      preference: {},
      problems: [`${file}: expected a list of model records, or { "default": "<model_id>", "models": [ … ] }`],
      added: 0,
    };
  }
  const result = parseCustomRecords(shaped.models, 'registry-file', base.entries.map((e) => e.record.model_id));
  let registry = withCustomModels(base, result.entries);
  const problems = [...result.errors, ...result.warnings].map((p) => `${file}: ${p}`);
  let server: CompanyServer | undefined;
  if (shaped.server !== undefined) {
    const parsed = parseCompanyServer(shaped.server);
    problems.push(...parsed.problems.map((p) => `${file}: ${p}`));
    if (parsed.server) {
      server = parsed.server;
      registry = { ...registry, server };
      // The page may only reach the server if the build put its origin into connect-src (addin/csp.ts).
      if (policy.connectSrc && !connectAllowed(`${server.baseUrl}/models`, policy.connectSrc, policy.self)) {
        const origin = new URL(server.baseUrl).origin;
        problems.push(
          `${file}: server: ${origin} is not in this page's Content-Security-Policy connect-src, so the pane cannot reach it; ` +
            `rebuild with the file in deploy/ (or --env modelHosts=${origin})`,
        );
      }
    }
  }
  // A model the page's Content-Security-Policy cannot download from: say so now, not as a network error at Load.
  if (policy.connectSrc) {
    for (const e of result.entries) {
      for (const url of [e.record.model, e.record.model_lib]) {
        if (connectAllowed(url, policy.connectSrc, policy.self)) continue;
        const origin = new URL(url).origin;
        problems.push(
          `${file}: "${e.record.model_id}": ${origin} is not among this deployment's model hosts (Content-Security-Policy connect-src), ` +
            `so its download would be blocked; rebuild with --env modelHosts=${origin} (or with the file in deploy/)`,
        );
        break;
      }
    }
  }
  const preference: ModelPreference = {};
  if (shaped.default !== undefined) {
    if (typeof shaped.default === 'string' && registry.entries.some((e) => e.record.model_id === shaped.default)) {
      preference.modelId = shaped.default;
    } else {
      problems.push(`${file}: default: "${String(shaped.default)}" is not the model_id of any model in the file or the built-in list`);
    }
  }
  return { registry, preference, problems, added: result.entries.length, ...(server ? { server } : {}) };
}

/**
 * Fetches and reads a registry file. A missing file (404) is the normal case and gives the built-in models
 * without problems; an unreadable one gives the built-in models and says why.
 */
export async function loadRegistryFile(
  url = './model-records.json',
  fetchFile: (url: string) => Promise<Response> = (u) => fetch(u, { cache: 'no-store' }),
  base: ModelRegistry = BUILTIN_REGISTRY,
): Promise<LoadedRegistry> {
  const none: LoadedRegistry = { registry: base, preference: {}, problems: [], added: 0 };
  let res: Response;
  try {
    res = await fetchFile(url);
  } catch (error) {
    return { ...none, problems: [`${url}: could not be read (${error instanceof Error ? error.message : String(error)})`] };
  }
  if (res.status === 404) return none;
  if (!res.ok) return { ...none, problems: [`${url}: could not be read (HTTP ${res.status})`] };
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    return { ...none, problems: [`${url}: is not valid JSON`] };
  }
  const policy = pagePolicy();
  const connectSrc = policy ? connectSources(policy) : undefined;
  return readRegistryFile(json, url, base, connectSrc ? { connectSrc, self: globalThis.location?.origin } : {});
}
