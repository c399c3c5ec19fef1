import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { BUILTIN_MODEL_SOURCES } from '../../../addin/csp';
import { DEFAULT_MODEL_HOSTS } from '../../../extension/src/webview-html';
import pinsJson from './builtin-pins.json';
import { connectAllowed } from './csp-check';
import {
  BUILTIN_MODELS,
  BUILTIN_PINS,
  BUILTIN_SOURCES,
  builtinModels,
  checkRecord,
  MODEL_LIB_URL_PREFIX,
  parseCustomRecords,
  readBuiltinPins,
  WEBLLM_VERSION,
  type BuiltinPinsFile,
} from './index';

// Synthetic commit hashes (test data: these records are only validated, never downloaded).
const LIBS = 'c0ffee'.padEnd(40, '2');
const rev = (i: number): string => `ba5e${i}`.padEnd(40, '0');
const FILE: BuiltinPinsFile = {
  webllm_version: WEBLLM_VERSION,
  created_at: '2025-01-01T00:00:00.000Z',
  libs: { repo: 'mlc-ai/binary-mlc-llm-libs', commit: LIBS },
  models: Object.fromEntries(BUILTIN_SOURCES.map((s, i) => [s.modelId, { repo: s.weightsRepo, revision: rev(i) }])),
};
const PINNED = builtinModels(readBuiltinPins(FILE, WEBLLM_VERSION));

/** WebLLM's own `cleanModelUrl`, taken from the installed package (it is not exported). */
function webLlmCleanModelUrl(): (url: string) => string {
  const require = createRequire(import.meta.url);
  const source = readFileSync(require.resolve('@mlc-ai/web-llm'), 'utf8');
  const fn = /function cleanModelUrl\(modelUrl\) \{[\s\S]*?\n\}/.exec(source)?.[0];
  expect(fn, 'cleanModelUrl in @mlc-ai/web-llm/lib/index.js').toBeDefined();
  return new Function(`${fn!}; return cleanModelUrl;`)() as (url: string) => string;
}

describe('built-in pins (builtin-pins.json)', () => {
  it('the committed file and the built-in records agree: pinned everywhere, or unpinned and saying so', () => {
    const state = readBuiltinPins(pinsJson, WEBLLM_VERSION);
    expect(BUILTIN_PINS).toEqual(state);
    for (const e of BUILTIN_MODELS) {
      if (state.kind === 'pinned') {
        expect(e.pinned, e.record.model_id).toBe(true);
        expect(checkRecord(e.record).errors).toEqual([]);
      } else {
        // This checkout was built offline: the `main` branches, said plainly in the record and the entry.
        expect(e.pinned).toBe(false);
        expect(e.record.model).toBe(`https://huggingface.co/mlc-ai/${e.record.model_id}/resolve/main/`);
        expect(e.record.model_lib.startsWith(MODEL_LIB_URL_PREFIX)).toBe(true);
      }
    }
    if (state.kind === 'unpinned') expect(state.reason).toMatch(/npm run pin:models/);
  });

  it('pinned built-ins load weights from /resolve/<commit>/ and the wasm from binary-mlc-llm-libs/<commit>/', () => {
    BUILTIN_SOURCES.forEach((s, i) => {
      const e = PINNED[i]!;
      expect(e.pinned).toBe(true);
      expect(e.record.model).toBe(`https://huggingface.co/${s.weightsRepo}/resolve/${rev(i)}/`);
      expect(e.record.model_lib).toBe(`https://raw.githubusercontent.com/mlc-ai/binary-mlc-llm-libs/${LIBS}/${s.libPath}`);
    });
  });

  it("pinned built-ins pass the company-record pin checker (custom.ts) on their own URLs; unpinned ones would be refused", () => {
    for (const e of PINNED) {
      // Not WebLLM's `main` prefix, which custom.ts lets through as "as pinned as the built-ins": checked by commit.
      expect(e.record.model_lib.startsWith(MODEL_LIB_URL_PREFIX)).toBe(false);
      expect(checkRecord(e.record)).toEqual({ errors: [], warnings: [] });
    }
    for (const e of builtinModels({ kind: 'unpinned', reason: 'test' })) {
      expect(checkRecord(e.record).errors.join('\n')).toMatch(/model: unpinned — "resolve\/main\/" names a branch/);
    }
  });

  it("WebLLM's cleanModelUrl keeps /resolve/<commit>/ (it appends resolve/main/ only without one)", () => {
    const clean = webLlmCleanModelUrl();
    for (const e of PINNED) expect(clean(e.record.model)).toBe(e.record.model);
    expect(clean('https://huggingface.co/mlc-ai/X-MLC')).toBe('https://huggingface.co/mlc-ai/X-MLC/resolve/main/');
  });

  it("the pages' connect-src (add-in build and VS Code webview) allows the pinned URLs", () => {
    for (const e of PINNED) {
      for (const url of [`${e.record.model}mlc-chat-config.json`, e.record.model_lib]) {
        expect(connectAllowed(url, BUILTIN_MODEL_SOURCES), url).toBe(true);
        expect(connectAllowed(url, DEFAULT_MODEL_HOSTS), url).toBe(true);
      }
    }
  });

  it('pins made for another WebLLM version are not used, and the reason says so', () => {
    const state = readBuiltinPins({ ...FILE, webllm_version: '0.2.80' }, WEBLLM_VERSION);
    expect(state).toEqual({ kind: 'unpinned', reason: expect.stringMatching(/made for WebLLM 0\.2\.80, but 0\.2\.86 is installed.*npm run pin:models/) as unknown });
    const models = builtinModels(state);
    expect(models.every((e) => e.pinned === false && e.record.model.endsWith('/resolve/main/') && e.record.model_lib.startsWith(MODEL_LIB_URL_PREFIX))).toBe(true);
  });

  it.each([
    [{}, /builtin-pins\.json is empty/],
    [{ models: {} }, /empty/],
    [[], /not a JSON object/],
    [{ ...FILE, libs: { repo: 'mlc-ai/binary-mlc-llm-libs', commit: 'main' } }, /libs must be/],
    [{ ...FILE, libs: { repo: 'someone/else', commit: LIBS } }, /libs must be/],
    [{ ...FILE, models: { [BUILTIN_SOURCES[0]!.modelId]: { repo: BUILTIN_SOURCES[0]!.weightsRepo, revision: '<commit>' } } }, /must be \{"repo": …, "revision": <40-digit commit hash>\}/],
    [{ ...FILE, models: { [BUILTIN_SOURCES[0]!.modelId]: { repo: BUILTIN_SOURCES[0]!.weightsRepo, revision: 'abc1234' } } }, /40-digit/],
  ])('malformed or placeholder pins are not used: %j', (json, reason) => {
    const state = readBuiltinPins(json, WEBLLM_VERSION);
    expect(state.kind).toBe('unpinned');
    expect(state.kind === 'unpinned' ? state.reason : '').toMatch(reason);
    expect(builtinModels(state).some((e) => e.pinned)).toBe(false);
  });

  it('a built-in missing from the pins (or under another repository) stays unpinned; the others are pinned', () => {
    const [first, second] = BUILTIN_SOURCES;
    const models = { ...FILE.models };
    delete models[first!.modelId];
    models[second!.modelId] = { repo: 'someone/else', revision: rev(1) };
    const entries = builtinModels(readBuiltinPins({ ...FILE, models }, WEBLLM_VERSION));
    expect(entries.map((e) => e.pinned)).toEqual([false, false, true, true, true, true]);
    expect(entries[0]?.record.model).toMatch(/\/resolve\/main\/$/);
    expect(entries[0]?.record.model_lib.startsWith(MODEL_LIB_URL_PREFIX)).toBe(true);
  });
});

describe('company records naming WebLLM\'s prebuilt wasm on main', () => {
  const lib = `${MODEL_LIB_URL_PREFIX}${BUILTIN_SOURCES[3]!.libPath.replace(/^web-llm-models\//, '')}`;
  const raw = [{ model: 'https://huggingface.co/acme/acme-exit-1.5B-q4f32_1-MLC/resolve/0123456789abcdef0123456789abcdef01234567/', model_id: 'acme-exit-1.5B-q4f32_1-MLC', model_lib: lib }];

  it('a pinned build loads that wasm from the libraries commit, as the built-ins do', () => {
    const r = parseCustomRecords(raw, 'registry-file', [], readBuiltinPins(FILE, WEBLLM_VERSION));
    expect(r.errors).toEqual([]);
    expect(r.entries[0]?.record.model_lib).toBe(lib.replace('/binary-mlc-llm-libs/main/', `/binary-mlc-llm-libs/${LIBS}/`));
    expect(r.entries[0]?.record.model_lib).toBe(PINNED[3]!.record.model_lib);
  });

  it('an unpinned build leaves it on main, like the built-ins', () => {
    const r = parseCustomRecords(raw, 'registry-file', [], { kind: 'unpinned', reason: 'no pins' });
    expect(r.entries[0]?.record.model_lib).toBe(lib);
  });
});
