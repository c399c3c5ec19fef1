// `npm test`: every test of the project, stage by stage, and one closing line `N passed, N failed`.
// A stage that fails does not stop the later ones, so one run shows everything that is broken; the exit code is
// non-zero when anything failed. Stages: lint, typecheck, vitest (unit, component, browser, end-to-end),
// the Python model pipeline (pytest in a venv), the VS Code end-to-end test.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const results = path.join(root, 'test-results');
mkdirSync(results, { recursive: true });
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

/** Runs a command with inherited output (and a copy of stdout kept for parsing). */
function run(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      out += d.toString();
    });
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

let passed = 0;
let failed = 0;
const summary = [];
const record = (stage, p, f, note = '') => {
  passed += p;
  failed += f;
  summary.push(`${stage.padEnd(12)} ${p} passed, ${f} failed${note ? `  (${note})` : ''}`);
};

const started = Date.now();
const stage = (name) => console.log(`\n=== ${name} ===`);

stage('lint');
const lint = await run('npx', ['eslint', '.']);
record('lint', lint.code === 0 ? 1 : 0, lint.code === 0 ? 0 : 1);

stage('typecheck');
const tsc = await run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
record('typecheck', tsc.code === 0 ? 1 : 0, tsc.code === 0 ? 0 : 1);

stage('vitest');
const vitestJson = path.join(results, 'vitest.json');
const vitest = await run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`]);
if (existsSync(vitestJson)) {
  const r = JSON.parse(readFileSync(vitestJson, 'utf8'));
  // A suite that fails to load has no tests but must count as a failure.
  const brokenFiles = (r.testResults ?? []).filter((f) => f.status === 'failed' && (f.assertionResults ?? []).length === 0).length;
  record('vitest', r.numPassedTests, r.numFailedTests + brokenFiles, `${r.numPendingTests} skipped`);
} else {
  record('vitest', 0, 1, 'no report');
}
if (vitest.code !== 0 && failed === 0) record('vitest-exit', 0, 1, `exit ${vitest.code}`);

if (existsSync(path.join(root, 'scripts/python-tests.sh'))) {
  stage('python (models/)');
  const py = await run('bash', ['scripts/python-tests.sh']);
  // pytest's closing line, e.g. "==== 14 passed, 1 failed, 2 warnings in 41.2s ====" or "14 passed in 3s".
  const line = py.out.split('\n').reverse().find((l) => /\d+ (passed|failed|error)/.test(l)) ?? '';
  const n = (word) => Number(line.match(new RegExp(`(\\d+) ${word}`))?.[1] ?? 0);
  const p = n('passed');
  const f = n('failed') + n('errors?');
  record('python', p, py.code === 0 ? f : Math.max(f, 1), py.code === 0 ? '' : `exit ${py.code}`);
}

if (pkg.scripts?.['test:vscode']) {
  stage('VS Code end-to-end');
  const vs = await run('npm', ['run', '--silent', 'test:vscode']);
  const line = vs.out.split('\n').reverse().find((l) => /\d+ passed, \d+ failed/.test(l));
  if (line) {
    const [, p, f] = line.match(/(\d+) passed, (\d+) failed/);
    record('vscode-e2e', Number(p), vs.code === 0 ? Number(f) : Math.max(Number(f), 1));
  } else {
    record('vscode-e2e', vs.code === 0 ? 1 : 0, vs.code === 0 ? 0 : 1);
  }
}

console.log(`\n=== summary (${Math.round((Date.now() - started) / 1000)} s) ===`);
for (const s of summary) console.log(s);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
