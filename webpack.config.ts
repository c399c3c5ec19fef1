/**
 * Bundles Liuhen's browser pages. Each page is one entry in PAGES (its script + HTML); add the Word task pane and
 * the VS Code webview there. The engine worker (shared/engine/webllm.worker.ts) is NOT an entry: webpack 5 finds
 * `new Worker(new URL('./webllm.worker.ts', import.meta.url))` and emits it as its own chunk, so WebLLM is in the
 * worker chunk only and pages paint without it.
 *
 * Loading this .ts config: the package is "type": "module", so Node treats the file as ESM, and webpack-cli 6's
 * ts-node/interpret route (a CommonJS require hook) fails with ERR_UNKNOWN_FILE_EXTENSION. The `build` script
 * therefore runs webpack-cli with `NODE_OPTIONS=--import=tsx`, tsx's ESM loader (already a dev dependency).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import HtmlWebpackPlugin from 'html-webpack-plugin';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import webpack, { type Compiler, type Configuration } from 'webpack';
import { extensionConfigs } from './extension/webpack.part';
import { rewriteManifestUrls } from './addin/word/manifest-rewrite';
import { pageHeaderPolicy, pagePolicy, parseModelHosts, registryHosts, workerPolicy, type CspManifest } from './addin/csp';

const root = path.dirname(fileURLToPath(import.meta.url));

/** One page of the bundle. */
export interface PageEntry {
  /** Chunk name; also names the output script. */
  name: string;
  /** The page's script, relative to the repository root. */
  script: string;
  /** The page's HTML template. */
  template: string;
  /** The HTML file written to dist/. */
  filename: string;
  /** The page loads office.js (its CSP allows Microsoft's CDN and Office's frames). */
  office?: boolean;
}

/** Every page. Adding a page = adding a line here. */
export const PAGES: PageEntry[] = [
  {
    name: 'model-check',
    script: './addin/model-check/index.ts',
    template: './addin/model-check/index.html',
    filename: 'model-check.html',
  },
  // The Word task pane (manifest: https://localhost:3000/taskpane.html) and the ribbon's FunctionFile.
  { name: 'taskpane', script: './addin/taskpane/index.ts', template: './addin/taskpane/taskpane.html', filename: 'taskpane.html', office: true },
  { name: 'commands', script: './addin/commands/index.ts', template: './addin/commands/commands.html', filename: 'commands.html', office: true },
  // The same panel beside an in-browser document: try Liuhen without Word.
  { name: 'playground', script: './addin/playground/index.ts', template: './addin/playground/index.html', filename: 'playground.html' },
];

/**
 * Static files copied into the output as they are (the manifest's icons under /assets/), with `deployDir` the
 * deployment folder (deploy/ unless `--env deployDir` names another).
 */
export function staticDirs(deployDir: string): Array<{ from: string; to: string; ifMissing?: boolean }> {
  return [
    { from: 'addin/assets', to: 'assets' },
    // The deployment's company models (`liuhen_models register --registry deploy/model-records.json`): kept out of
    // dist/, which every build empties, and copied beside the pages here.
    { from: deployDir, to: '' },
    // Empty model-records.json and templates.json where deploy/ has none, so the pages never request a missing file.
    { from: 'addin/deployment-defaults', to: '', ifMissing: true },
  ];
}
/**
 * Which static files are served: images, and the deployment's model-records.json, templates.json and the
 * template files under templates/ (not the scripts that make them).
 */
const STATIC_EXTENSIONS = /(\.(png|svg|ico|jpe?g|gif|webp)|^model-records\.json|^templates\.json|^templates\/.+\.json)$/i;

/**
 * Pages built only with `--env bench` (into dist/bench/): the engine benchmark, which imports WebLLM's own
 * client on purpose to compare against it. Never part of the product build.
 */
export const BENCH_PAGES: PageEntry[] = [
  {
    name: 'engine-bench',
    script: './test/browser/bench/engine-bench.ts',
    template: './test/browser/bench/engine-bench.html',
    filename: 'engine-bench.html',
  },
  {
    name: 'webllm-client-probe',
    script: './test/browser/bench/webllm-client-probe.ts',
    template: './test/browser/bench/webllm-client-probe.html',
    filename: 'webllm-client-probe.html',
  },
];

/** `--env` values. */
export interface Env {
  bench?: boolean;
  /** Output folder (absolute, or relative to the repository root); default dist/ (dist/bench with `bench`). */
  outDir?: string;
  /** Only these page names (comma-separated), e.g. `--env pages=playground` for a faster test build. */
  pages?: string;
  /**
   * Build the VS Code extension's bundles (extension/webpack.part.ts) instead of the pages, into
   * dist/vscode-extension/dist: `webpack --env extension`. `npm run package:extension` runs the same configs.
   */
  extension?: boolean;
  /**
   * Where the production add-in is served (`--env addinUrl=https://hr-tools.example.com/liuhen/`): dist/manifest.xml
   * then points there instead of https://localhost:3000.
   */
  addinUrl?: string;
  /**
   * The deployment's model hosts, added to every page's connect-src (addin/csp.ts): where its model-records.json
   * points, e.g. `--env modelHosts=https://models.example.com,https://huggingface.co/acme/`. Without it only
   * the built-in models' hosts are reachable.
   */
  modelHosts?: string;
  /**
   * The deployment folder (default deploy/): its model-records.json, templates.json and templates/ are copied
   * beside the pages, and the model hosts and company server its model-records.json names join connect-src.
   * `--env deployDir=/srv/acme-liuhen-deploy` builds one company's pages from a folder kept outside the clone.
   */
  deployDir?: string;
  /**
   * A test build: keeps the test seams (`window.__LIUHEN_TEST__`, `?registry=`). Production builds compile them
   * out (`__LIUHEN_TEST_SEAMS__` is false), so a link cannot swap the model or engine.
   */
  testSeams?: boolean;
  /**
   * Build against web-llm 0.2.79 (`@mlc-ai/web-llm-0279`) instead of the pinned version: only for the real-runtime
   * test (test/runtime/), into its own `outDir`.
   */
  webllm0279?: boolean;
}

/** webpack-cli's argv (the part used here). */
export interface Argv {
  mode?: 'production' | 'development' | 'none';
}

/**
 * Emits the files of {@link staticDirs} (those that exist) into the output. A dozen icons do not justify
 * another dependency (copy-webpack-plugin).
 */
class ManifestPlugin {
  constructor(private readonly addinUrl: string | undefined) {}
  apply(compiler: Compiler): void {
    compiler.hooks.thisCompilation.tap('ManifestPlugin', (compilation) => {
      compilation.hooks.processAssets.tap({ name: 'ManifestPlugin', stage: compiler.webpack.Compilation.PROCESS_ASSETS_STAGE_ADDITIONAL }, () => {
        const file = path.resolve(root, 'manifest.xml');
        compilation.fileDependencies.add(file);
        const xml = readFileSync(file, 'utf8');
        // A bad URL throws a RangeError that says what is wrong; webpack reports it as the build's error.
        const out = this.addinUrl ? rewriteManifestUrls(xml, { baseUrl: this.addinUrl }) : xml;
        compilation.emitAsset('manifest.xml', new compiler.webpack.sources.RawSource(out));
      });
    });
  }
}

/** connect-src model hosts: `--env modelHosts` plus those of the deployment's model-records.json, when there is one. */
function cspModelHosts(env: Env): string[] {
  const file = path.resolve(root, env.deployDir ?? 'deploy', 'model-records.json');
  let fromRegistry: string[] = [];
  if (existsSync(file)) {
    try {
      fromRegistry = registryHosts(JSON.parse(readFileSync(file, 'utf8')));
    } catch {
      // Not JSON: the pane says so when it loads the file; the policy just gets no hosts from it.
    }
  }
  return [...new Set([...parseModelHosts(env.modelHosts), ...fromRegistry])];
}

/**
 * Writes each page's Content-Security-Policy (addin/csp.ts) into its HTML as the first thing after the charset,
 * so it governs office.js and inline styles too, and emits csp.json: the header form for scripts/serve.mjs (and
 * any other server), including the worker's policy and frame-ancestors, which a <meta> cannot carry.
 */
class CspPlugin {
  constructor(
    private readonly pages: PageEntry[],
    private readonly modelHosts: string[],
  ) {}
  apply(compiler: Compiler): void {
    compiler.hooks.thisCompilation.tap('CspPlugin', (compilation) => {
      HtmlWebpackPlugin.getHooks(compilation).beforeEmit.tap('CspPlugin', (data) => {
        const page = this.pages.find((p) => p.filename === data.outputName);
        if (!page) return data;
        const meta = `<meta http-equiv="Content-Security-Policy" content="${pagePolicy({ office: page.office, modelHosts: this.modelHosts })}">`;
        const charset = /<meta charset=["']?utf-8["']?\s*\/?>/i;
        data.html = charset.test(data.html) ? data.html.replace(charset, (m) => m + meta) : data.html.replace(/<head[^>]*>/i, (m) => m + meta);
        return data;
      });
      compilation.hooks.processAssets.tap({ name: 'CspPlugin', stage: compiler.webpack.Compilation.PROCESS_ASSETS_STAGE_ADDITIONAL }, () => {
        const manifest: CspManifest = {
          pages: Object.fromEntries(this.pages.map((p) => [p.filename, pageHeaderPolicy({ office: p.office, modelHosts: this.modelHosts })])),
          scripts: workerPolicy(this.modelHosts),
          modelHosts: this.modelHosts,
        };
        compilation.emitAsset('csp.json', new compiler.webpack.sources.RawSource(`${JSON.stringify(manifest, null, 2)}\n`));
      });
    });
  }
}

class CopyStaticPlugin {
  constructor(private readonly dirs: Array<{ from: string; to: string; ifMissing?: boolean }>) {}
  apply(compiler: Compiler): void {
    compiler.hooks.thisCompilation.tap('CopyStaticPlugin', (compilation) => {
      compilation.hooks.processAssets.tap({ name: 'CopyStaticPlugin', stage: compiler.webpack.Compilation.PROCESS_ASSETS_STAGE_ADDITIONAL }, () => {
        for (const { from, to, ifMissing } of this.dirs) {
          const dir = path.resolve(root, from);
          if (!existsSync(dir)) continue;
          compilation.contextDependencies.add(dir);
          const walk = (d: string): void => {
            for (const name of readdirSync(d)) {
              const full = path.join(d, name);
              if (statSync(full).isDirectory()) walk(full);
              else {
                const rel = path.posix.join(to, path.relative(dir, full).split(path.sep).join('/'));
                if (!STATIC_EXTENSIONS.test(rel) || (ifMissing && compilation.getAsset(rel))) continue;
                compilation.emitAsset(rel, new compiler.webpack.sources.RawSource(readFileSync(full)));
              }
            }
          };
          walk(dir);
        }
      });
    });
  }
}

/** The browser pages: task pane, commands, playground, model check (or the bench pages with `--env bench`). */
export function pagesConfig(env: Env = {}, argv: Argv = {}): Configuration {
  const mode = argv.mode ?? 'production';
  const production = mode === 'production';
  const wanted = env.pages ? new Set(env.pages.split(',')) : undefined;
  const pages = (env.bench ? BENCH_PAGES : PAGES).filter((p) => !wanted || wanted.has(p.name));
  const outDir = env.outDir ? path.resolve(root, env.outDir) : path.resolve(root, env.bench ? 'dist/bench' : 'dist');
  return {
    name: 'pages',
    mode,
    context: root,
    target: 'web',
    entry: Object.fromEntries(pages.map((p) => [p.name, p.script])),
    output: {
      path: outDir,
      filename: production ? '[name].[contenthash:8].js' : '[name].js',
      chunkFilename: production ? '[name].[contenthash:8].js' : '[name].js',
      // Relative URLs: the same build works under any path (add-in host, webview, local test server).
      publicPath: 'auto',
      clean: true,
    },
    resolve: {
      extensions: ['.ts', '.tsx', '.js', '.mjs'],
      // The real-runtime test only (test/runtime): the product's worker built against web-llm 0.2.79, the one
      // version whose model library links offline. The product keeps its pinned version.
      ...(env.webllm0279 ? { alias: { '@mlc-ai/web-llm$': path.resolve(root, 'node_modules/@mlc-ai/web-llm-0279/lib/index.js') } } : {}),
    },
    module: {
      rules: [
        {
          test: /\.tsx?$/,
          exclude: /node_modules/,
          loader: 'ts-loader',
          // Type checking is `npm run typecheck`'s job; the bundle only strips types.
          options: { transpileOnly: true, compilerOptions: { noEmit: false, module: 'esnext', sourceMap: !production } },
        },
      ],
    },
    plugins: [
      ...pages.map(
        (p) =>
          new HtmlWebpackPlugin({
            template: p.template,
            filename: p.filename,
            chunks: [p.name],
            scriptLoading: 'module',
            minify: production,
          }),
      ),
      ...(env.bench ? [] : [new CopyStaticPlugin(staticDirs(env.deployDir ?? 'deploy')), new ManifestPlugin(env.addinUrl), new CspPlugin(pages, cspModelHosts(env))]),
      // Test seams exist only in test builds (and development); production bundles do not contain them.
      new webpack.DefinePlugin({ __LIUHEN_TEST_SEAMS__: JSON.stringify(Boolean(env.testSeams) || !production) }),
    ],
    devtool: production ? false : 'cheap-module-source-map',
    optimization: {
      minimize: production,
      splitChunks: {
        cacheGroups: {
          // WebLLM (+ tvmjs, tokenizers, xgrammar) in one named chunk that only the engine worker loads.
          webllm: { test: /[\\/]node_modules[\\/]@mlc-ai[\\/]/, name: 'webllm', chunks: 'async', enforce: true, priority: 10 },
        },
      },
    },
    performance: {
      hints: production && !env.bench ? 'warning' : false,
      // Pages must stay small; the worker chunk is large by nature (WebLLM + tvmjs) and loads in the background.
      maxEntrypointSize: 300 * 1024,
      maxAssetSize: 8 * 1024 * 1024,
    },
    stats: 'errors-warnings',
  };
}

/**
 * Every configuration webpack builds: the pages, or with `--env extension` the VS Code extension (kept apart so
 * that a page build, which the browser tests trigger, does not pay for the extension's four bundles).
 */
export default function config(env: Env = {}, argv: Argv = {}): Configuration[] {
  if (env.extension) return extensionConfigs({ mode: argv.mode === 'development' ? 'development' : 'production' });
  return [pagesConfig(env, argv)];
}
