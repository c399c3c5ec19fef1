/**
 * `npm run package:extension`: builds the VS Code extension and packs it as a .vsix, offline.
 *
 * 1. Stage the extension in dist/vscode-extension/: extension/package.json (the extension's own manifest; the
 *    root package.json stays the dev package), README, icon, and the webpack bundles of extension/webpack.part.ts.
 * 2. Pack the stage with @vscode/vsce's API (`createVSIX`), `dependencies: false`: everything is bundled, no
 *    node_modules are needed, and nothing is fetched.
 *
 * Prints the .vsix path, its size and the time taken.
 */
import { cpSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildExtension, type ExtensionBuildOptions } from '../extension/webpack.part';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Default stage folder. */
export const STAGE_DIR = path.join(ROOT, 'dist/vscode-extension');

/**
 * Builds the extension into `stageDir` (emptied first) and copies what the .vsix and VS Code need beside the
 * bundles. Returns the stage folder (an extension folder VS Code can load with `--extensionDevelopmentPath`).
 */
export async function stageExtension(stageDir: string = STAGE_DIR, options: Omit<ExtensionBuildOptions, 'outDir'> = {}): Promise<string> {
  rmSync(stageDir, { recursive: true, force: true });
  mkdirSync(stageDir, { recursive: true });
  await buildExtension({ ...options, outDir: path.join(stageDir, 'dist') });
  cpSync(path.join(ROOT, 'extension/package.json'), path.join(stageDir, 'package.json'));
  cpSync(path.join(ROOT, 'extension/README.md'), path.join(stageDir, 'README.md'));
  cpSync(path.join(ROOT, 'extension/media'), path.join(stageDir, 'media'), { recursive: true });
  // Source maps stay out of the package (they would double its size).
  writeFileSync(path.join(stageDir, '.vscodeignore'), '**/*.map\n');
  return stageDir;
}

/** Packs a staged extension; returns the .vsix path. */
export async function packExtension(stageDir: string = STAGE_DIR, packagePath?: string): Promise<string> {
  const { createVSIX } = (await import('@vscode/vsce')) as typeof import('@vscode/vsce');
  const manifest = (await import(pathToFileURL(path.join(stageDir, 'package.json')).href, { with: { type: 'json' } })) as {
    default: { name: string; version: string };
  };
  const target = packagePath ?? path.join(ROOT, 'dist', `${manifest.default.name}-${manifest.default.version}.vsix`);
  await createVSIX({ cwd: stageDir, packagePath: target, dependencies: false, allowMissingRepository: true, skipLicense: true });
  return target;
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const stage = await stageExtension(STAGE_DIR, { mode: 'production' });
  const built = Date.now();
  const vsix = await packExtension(stage);
  if (!existsSync(vsix)) throw new Error(`vsce did not write ${vsix}`);
  const mb = (statSync(vsix).size / 2 ** 20).toFixed(2);
  console.log(`${path.relative(ROOT, vsix)}: ${mb} MiB (build ${((built - t0) / 1000).toFixed(1)} s, pack ${((Date.now() - built) / 1000).toFixed(1)} s)`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
