/**
 * Every grammar Liuhen sends to a company server is also what llama.cpp's server takes as GBNF (`grammar`,
 * shared/engine/server.ts). This runs llama.cpp's OWN grammar parser and matcher on them: the prebuilt addon of
 * node-llama-cpp 3.20.0 (llama.cpp b10361, an older build on purpose: it still rejects `\-` in a class, as servers
 * deployed before late 2026 do). No model is needed to parse a grammar or to test text against it.
 *
 * The addon (@node-llama-cpp/linux-x64, 28 MB, exact version) is installed on first use into
 * node_modules/.cache/liuhen/, outside the product's dependencies (it is Linux x64 only, and only this test needs
 * it); other platforms skip this file.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { deriveContract, grammarPortabilityProblems, renderOutput } from '../../shared/output';
import { discoveryGrammar, labellingGrammar, suggestionGrammar } from '../../shared/output/summary-grammar';
import { englishExit, englishTalent, exitFixtures, talentFixtures } from '../../shared/output/test-fixtures';
import { BUILTIN_TEMPLATES, templateKey } from '../../shared/templates';
import { ROOT } from '../browser/harness';

const VERSION = '3.20.0';
const DIR = path.join(ROOT, 'node_modules', '.cache', 'liuhen', `llamacpp-${VERSION}`);
const ADDON = path.join(DIR, 'node_modules', '@node-llama-cpp', 'linux-x64', 'bins', 'linux-x64', 'llama-addon.node');

interface AddonGrammar {
  isTextCompatible(text: string): boolean;
}
interface Addon {
  AddonGrammar: new (grammar: string, options: { addonExports: Addon; rootRuleName: string }) => AddonGrammar;
}

function installAddon(): void {
  if (existsSync(ADDON)) return;
  mkdirSync(DIR, { recursive: true });
  writeFileSync(path.join(DIR, 'package.json'), '{ "private": true }\n');
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', `@node-llama-cpp/linux-x64@${VERSION}`], { cwd: DIR, encoding: 'utf8', timeout: 240_000 });
  if (r.status !== 0 || !existsSync(ADDON)) throw new Error(`could not install @node-llama-cpp/linux-x64@${VERSION} from the npm registry:\n${r.stdout}\n${r.stderr}`);
}

let addon: Addon;

/** llama.cpp's parser on `grammar`: the grammar, or the error (llama.cpp prints its detail on stderr). */
function parse(grammar: string): AddonGrammar | Error {
  try {
    return new addon.AddonGrammar(grammar, { addonExports: addon, rootRuleName: 'root' });
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

function compiled(grammar: string): AddonGrammar {
  const g = parse(grammar);
  if (g instanceof Error) throw new Error(`llama.cpp rejects the grammar (${g.message}); our checker says: ${JSON.stringify(grammarPortabilityProblems(grammar))}`);
  return g;
}

describe.skipIf(process.platform !== 'linux' || process.arch !== 'x64')(`llama.cpp's GBNF parser (node-llama-cpp ${VERSION}, b10361)`, () => {
  beforeAll(() => {
    installAddon();
    addon = createRequire(import.meta.url)(ADDON) as Addon;
  }, 300_000);

  it('rejects what the load-time checker names (so a pass below means something)', () => {
    expect(parse('root ::= a_b\na_b ::= "x"\n')).toBeInstanceOf(Error);
    expect(parse('root ::= [^\\-a]\n')).toBeInstanceOf(Error);
    expect(parse('root ::= a-b\na-b ::= [^a-]\n')).not.toBeInstanceOf(Error);
  });

  it.each(BUILTIN_TEMPLATES.map((t) => [templateKey(t), t] as const))('%s: the template grammar parses', (_key, t) => {
    compiled(deriveContract(t).grammar);
  });

  it.each([...exitFixtures(), ...talentFixtures(), englishExit(), englishTalent()].map((f) => [`${f.id} (${templateKey(f.template)})`, f] as const))(
    'fixture %s: its expected record matches the grammar',
    (_name, f) => {
      expect(compiled(deriveContract(f.template).grammar).isTextCompatible(f.text)).toBe(true);
    },
  );

  it('a body line may hold "-" but not start with it, and no "*" (the same rules as on WebLLM)', () => {
    const t = BUILTIN_TEMPLATES.find((x) => x.id === 'exit-interview' && x.language === 'en');
    if (!t) throw new Error('no exit-interview en');
    const g = compiled(deriveContract(t).grammar);
    const sections = Object.fromEntries(t.sections.map((s) => [s.key, 'The employee described the situation in plain words.']));
    const text = renderOutput(t, sections, englishExit().fields);
    expect(g.isTextCompatible(text)).toBe(true);
    expect(g.isTextCompatible(text.replace('plain words', 'plain-words'))).toBe(true);
    expect(g.isTextCompatible(text.replace('The employee described', '-The employee described'))).toBe(false);
    expect(g.isTextCompatible(text.replace('plain words', '*plain* words'))).toBe(false);
  });

  it('the summary grammars parse and accept their answers', () => {
    const codes = ['COMP', 'CAREER', 'MANAGER', 'WORKLOAD'];
    expect(compiled(labellingGrammar(codes, 3)).isTextCompatible('1=COMP\n2=CAREER\n3=WORKLOAD\n')).toBe(true);
    expect(compiled(labellingGrammar(codes, 3)).isTextCompatible('1=COMP\n2=FOO\n3=WORKLOAD\n')).toBe(false);
    expect(compiled(discoveryGrammar(8)).isTextCompatible('PAY|薪酬低于市场\n')).toBe(true);
    expect(compiled(suggestionGrammar(codes, 5)).isTextCompatible('COMP|Review pay bands yearly.\n')).toBe(true);
  });
});
