/**
 * A company inference server: an OpenAI-compatible chat-completions endpoint (vLLM first; `mlc_llm serve` and
 * llama.cpp's `llama-server` too) that the admin declares in the deployment's model-records.json. With one
 * configured, the writer's text leaves the computer for that server (the README says so); the model area says
 * "company server <host>" instead of "this computer".
 *
 * What each kind of server accepts for constrained decoding differs; {@link SERVER_KINDS} declares it, and
 * {@link structuredOutputOf} says which request field carries a given output contract (or that none does).
 * Browser-safe: no Node built-ins.
 */
import type { ResponseFormat } from './port';

/** The serving engines Liuhen knows how to talk to. */
export type ServerKind = 'vllm' | 'mlc' | 'llamacpp';

/** How a request's output contract travels to a server, or `none` (the server decodes unconstrained). */
export type StructuredOutputField =
  /** vLLM ≥ 0.12: `structured_outputs: { grammar }` (xgrammar EBNF; `guided_grammar` was removed in 0.12). */
  | 'structured_outputs.grammar'
  /** llama.cpp: `grammar` (GBNF; Liuhen's grammars keep to the subset GBNF shares with xgrammar's EBNF). */
  | 'grammar'
  /** OpenAI / vLLM: `response_format: { type: 'json_schema', json_schema: { name, schema } }`. */
  | 'response_format.json_schema'
  /** mlc_llm serve: `response_format: { type: 'json_object', schema: '<schema as a string>' }`. */
  | 'response_format.json_object'
  /** llama.cpp: `json_schema` (an object). */
  | 'json_schema'
  | 'none';

/** What a kind of server accepts. */
export interface ServerKindInfo {
  /** Name for people. */
  label: string;
  /** Field that carries an EBNF grammar (`{ type: 'grammar' }`), or `none`. */
  grammar: StructuredOutputField;
  /** Field that carries a JSON schema (`{ type: 'json_object' }`). */
  jsonSchema: StructuredOutputField;
}

/**
 * The declared capabilities. Sources: vLLM docs "Structured Outputs" (structured_outputs.{json,regex,choice,
 * grammar,structural_tag}; the guided_* fields were removed in v0.12.0) and its OpenAI-compatible server
 * (response_format json_schema); mlc-llm's `RequestResponseFormat` (type text | json_object, `schema` as a string —
 * no grammar field); llama.cpp server README (`grammar` in GBNF, `json_schema`).
 */
export const SERVER_KINDS: Readonly<Record<ServerKind, ServerKindInfo>> = {
  vllm: { label: 'vLLM', grammar: 'structured_outputs.grammar', jsonSchema: 'response_format.json_schema' },
  mlc: { label: 'MLC LLM', grammar: 'none', jsonSchema: 'response_format.json_object' },
  llamacpp: { label: 'llama.cpp', grammar: 'grammar', jsonSchema: 'json_schema' },
};

/** The field a request with this output contract uses on this kind of server. */
export function structuredOutputOf(kind: ServerKind, format: ResponseFormat | undefined): StructuredOutputField {
  if (!format) return 'none';
  return format.type === 'grammar' ? SERVER_KINDS[kind].grammar : SERVER_KINDS[kind].jsonSchema;
}

/** The request fields that carry `format` to a server of this kind (merged into the chat-completions body). */
export function structuredOutputBody(kind: ServerKind, format: ResponseFormat | undefined): Record<string, unknown> {
  const field = structuredOutputOf(kind, format);
  if (!format || field === 'none') return {};
  if (format.type === 'grammar') {
    return field === 'structured_outputs.grammar' ? { structured_outputs: { grammar: format.grammar } } : { grammar: format.grammar };
  }
  const schema = JSON.parse(format.schema) as unknown;
  switch (field) {
    case 'response_format.json_schema':
      return { response_format: { type: 'json_schema', json_schema: { name: 'liuhen_output', schema } } };
    case 'response_format.json_object':
      return { response_format: { type: 'json_object', schema: format.schema } };
    default:
      return { json_schema: schema };
  }
}

/** The company server as the deployment declares it (model-records.json `server`), validated. */
export interface CompanyServer {
  kind: ServerKind;
  /** The OpenAI-compatible base URL, ending in `/v1` (e.g. `https://llm.example.com/v1`). */
  baseUrl: string;
  /** The served model name (vLLM `--served-model-name`, or the model path it was started with). */
  model: string;
  /**
   * The LoRA adapter's name as the server serves it (vLLM `--lora-modules <name>=<path>`); requests then name
   * the adapter as their `model`, and vLLM applies it on the base model.
   */
  adapter?: string;
  /** Short name for the model area (default: the adapter or model name). */
  displayName?: string;
  /** Batch rows sent at once (default {@link DEFAULT_SERVER_CONCURRENCY}): vLLM batches them continuously. */
  concurrency?: number;
  /** Context window, for servers whose model list does not say it (mlc); vLLM's `max_model_len` wins. */
  contextWindow?: number;
  /** The prompt profile the served model was fine-tuned with (as a model record's `liuhen_prompt`). */
  liuhenPrompt?: { profile: 'full' | 'compact'; fields?: boolean };
}

/** Rows of a batch in flight at once against a server, unless the deployment says otherwise. */
export const DEFAULT_SERVER_CONCURRENCY = 8;

/** The name requests use as `model`: the adapter when there is one. */
export function servedModelId(server: CompanyServer): string {
  return server.adapter ?? server.model;
}

/** `host[:port]` of the server, for people and for connect-src. */
export function serverHost(server: Pick<CompanyServer, 'baseUrl'>): string {
  try {
    return new URL(server.baseUrl).host;
  } catch {
    return server.baseUrl;
  }
}

/** The origin the page must be allowed to connect to (`connect-src`). */
export function serverOrigin(server: Pick<CompanyServer, 'baseUrl'>): string {
  return new URL(server.baseUrl).origin;
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i;

/**
 * Reads the `server` entry of model-records.json. Keys as an admin writes them (snake_case, like the model
 * records): `kind`, `base_url`, `model`, `lora_adapter`, `display_name`, `concurrency`, `context_window`,
 * `liuhen_prompt`. Returns the server or the problems, one sentence each; never throws.
 */
export function parseCompanyServer(json: unknown): { server?: CompanyServer; problems: string[] } {
  const problems: string[] = [];
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    return { problems: ['server: expected an object such as { "kind": "vllm", "base_url": "https://llm.example.com/v1", "model": "…" }'] };
  }
  const o = json as Record<string, unknown>;
  const known = new Set(['kind', 'base_url', 'model', 'lora_adapter', 'display_name', 'concurrency', 'context_window', 'liuhen_prompt']);
  for (const key of Object.keys(o)) {
    if (!known.has(key)) problems.push(`server: unknown key "${key}" (allowed: ${[...known].join(', ')})`);
  }
  const kind = o.kind ?? 'vllm';
  if (kind !== 'vllm' && kind !== 'mlc' && kind !== 'llamacpp') problems.push(`server: kind must be "vllm", "mlc" or "llamacpp", not ${JSON.stringify(kind)}`);
  let baseUrl = '';
  if (typeof o.base_url !== 'string') {
    problems.push('server: base_url is required (the OpenAI-compatible address, e.g. https://llm.example.com/v1)');
  } else {
    try {
      const url = new URL(o.base_url);
      // A Word add-in page is https: the browser blocks plain http to anything but this computer (mixed content).
      if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.test(url.hostname))) {
        problems.push(`server: base_url "${o.base_url}" must be https (only this computer, localhost/127.0.0.1, may use http)`);
      } else if (url.search || url.hash || url.username || url.password) {
        problems.push(`server: base_url "${o.base_url}" must not carry a query, fragment or credentials`);
      } else {
        baseUrl = url.href.replace(/\/+$/, '');
        if (!/\/v1$/.test(baseUrl)) problems.push(`server: base_url "${o.base_url}" should end in /v1 (the OpenAI-compatible API root)`);
      }
    } catch {
      problems.push(`server: base_url "${o.base_url}" is not a URL`);
    }
  }
  if (typeof o.model !== 'string' || o.model.trim() === '') problems.push('server: model is required (the served model name, as GET /v1/models lists it)');
  if (o.lora_adapter !== undefined && (typeof o.lora_adapter !== 'string' || o.lora_adapter.trim() === '')) problems.push('server: lora_adapter must be the adapter name given to --lora-modules');
  if (o.display_name !== undefined && typeof o.display_name !== 'string') problems.push('server: display_name must be a string');
  if (o.concurrency !== undefined && !(Number.isInteger(o.concurrency) && (o.concurrency as number) >= 1 && (o.concurrency as number) <= 256)) {
    problems.push('server: concurrency must be a whole number from 1 to 256');
  }
  if (o.context_window !== undefined && !(Number.isInteger(o.context_window) && (o.context_window as number) > 0)) problems.push('server: context_window must be a positive whole number');
  const lp = o.liuhen_prompt as { profile?: unknown; fields?: unknown } | undefined;
  if (lp !== undefined && (typeof lp !== 'object' || (lp.profile !== 'full' && lp.profile !== 'compact') || (lp.fields !== undefined && typeof lp.fields !== 'boolean'))) {
    problems.push('server: liuhen_prompt must be { "profile": "full" | "compact", "fields"?: true | false }');
  }
  if (problems.length > 0) return { problems };
  const server: CompanyServer = { kind: kind as ServerKind, baseUrl, model: (o.model as string).trim() };
  if (typeof o.lora_adapter === 'string') server.adapter = o.lora_adapter.trim();
  if (typeof o.display_name === 'string') server.displayName = o.display_name;
  if (typeof o.concurrency === 'number') server.concurrency = o.concurrency;
  if (typeof o.context_window === 'number') server.contextWindow = o.context_window;
  if (lp) server.liuhenPrompt = { profile: lp.profile as 'full' | 'compact', ...(typeof lp.fields === 'boolean' ? { fields: lp.fields } : {}) };
  return { server, problems };
}
