/**
 * Webpack configurations of the VS Code extension, kept apart from the root webpack.config.ts (which bundles the
 * browser pages). Four bundles, into the `dist/` folder of a staged extension (default
 * `dist/vscode-extension/dist/`, beside a copy of extension/package.json; bundles stay out of extension/ so that
 * lint and type checks never see them):
 * - `extension.node.js`  — the desktop entry (`main`), target node;
 * - `extension.web.js`   — the web entry (`browser`, VS Code for the Web and @vscode/test-web), target webworker;
 *   both from the same source, `vscode` external;
 * - `webview.js`         — the webview page (the shared panel + MessageHost), one classic script;
 * - `engine-worker.js`   — the engine worker (WebLLM), one classic script with no further chunks, because the
 *   webview starts it from a `blob:` URL where chunk URLs cannot be resolved.
 *
 * scripts/package-extension.ts runs these through webpack's Node API; the e2e test builds the same configs with
 * a test-double worker entry (test build only).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import webpack, { type Configuration } from 'webpack';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Options of {@link extensionConfigs}. */
export interface ExtensionBuildOptions {
  mode?: 'production' | 'development';
  /** Output folder of the bundles (default dist/vscode-extension/dist). */
  outDir?: string;
  /** Entry of the engine worker (default shared/engine/webllm.worker.ts; the e2e passes its test double). */
  workerEntry?: string;
  /** Extra webworker-target bundles in the extension host (e2e suites), name -> entry. */
  extraHostEntries?: Record<string, string>;
  /** Extra engine-worker bundles, name -> entry (the e2e also builds the product worker under another name). */
  extraWorkerEntries?: Record<string, string>;
}

function tsRule(production: boolean): webpack.RuleSetRule {
  return {
    test: /\.tsx?$/,
    exclude: /node_modules/,
    loader: 'ts-loader',
    // Type checking is `npm run typecheck`'s job; bundles only strip types.
    options: { transpileOnly: true, compilerOptions: { noEmit: false, module: 'esnext', sourceMap: !production } },
  };
}

function base(name: string, options: ExtensionBuildOptions): Configuration {
  const mode = options.mode ?? 'production';
  const production = mode === 'production';
  return {
    name,
    mode,
    context: root,
    resolve: { extensions: ['.ts', '.tsx', '.js', '.mjs'] },
    module: { rules: [tsRule(production)] },
    devtool: production ? false : 'source-map',
    optimization: { minimize: production },
    performance: { hints: false },
    stats: 'errors-warnings',
  };
}

/** The extension's bundles. */
export function extensionConfigs(options: ExtensionBuildOptions = {}): Configuration[] {
  const outDir = options.outDir ?? path.join(root, 'dist/vscode-extension/dist');
  const hostEntry = { 'extension.web': './extension/src/extension.ts', ...(options.extraHostEntries ?? {}) };
  const singleFile = [new webpack.optimize.LimitChunkCountPlugin({ maxChunks: 1 })];
  return [
    {
      ...base('extension-node', options),
      target: 'node',
      entry: { 'extension.node': './extension/src/extension.ts' },
      output: { path: outDir, filename: '[name].js', library: { type: 'commonjs2' }, clean: false },
      externals: { vscode: 'commonjs vscode' },
    },
    {
      ...base('extension-web', options),
      target: 'webworker',
      entry: hostEntry,
      output: { path: outDir, filename: '[name].js', library: { type: 'commonjs' } },
      externals: { vscode: 'commonjs vscode' },
      plugins: singleFile,
    },
    {
      ...base('webview', options),
      target: 'web',
      entry: { webview: './extension/webview/index.ts' },
      output: { path: outDir, filename: '[name].js', publicPath: '' },
      module: {
        rules: [tsRule(options.mode !== 'development')],
        // The panel never uses WebLlmEngine's default `new Worker(new URL(...))` (the webview passes its blob
        // worker), so webpack must not bundle a second copy of the worker and WebLLM into the page.
        parser: { javascript: { worker: false, url: false } },
      },
      plugins: [...singleFile, new webpack.DefinePlugin({ 'process.env.NODE_ENV': JSON.stringify(options.mode ?? 'production') })],
    },
    {
      ...base('engine-worker', options),
      target: 'webworker',
      entry: { 'engine-worker': options.workerEntry ?? './shared/engine/webllm.worker.ts', ...(options.extraWorkerEntries ?? {}) },
      output: { path: outDir, filename: '[name].js', publicPath: '' },
      plugins: singleFile,
    },
  ];
}

/** Runs webpack on the configs; rejects with the compiler's errors. */
export function buildExtension(options: ExtensionBuildOptions = {}): Promise<webpack.MultiStats> {
  return new Promise((resolve, reject) => {
    webpack(extensionConfigs(options), (error, stats) => {
      if (error) reject(error);
      else if (!stats) reject(new Error('webpack returned no stats'));
      else if (stats.hasErrors()) reject(new Error(stats.toString({ all: false, errors: true, errorDetails: true })));
      else resolve(stats);
    });
  });
}
