#!/usr/bin/env node
/**
 * `npm start`'s server: serves dist/ over HTTPS on https://localhost:3000 (Office add-ins must be https) with
 * development certificates generated offline by `selfsigned` into .certs/ (reused until they expire), correct
 * MIME types (application/wasm matters: browsers only stream-compile wasm served as such) and the headers the
 * pages need. Prints how to sideload manifest.xml and the playground URL. Works offline.
 *
 * Also importable (tests): `createHandler(root)` is the request handler, without TLS.
 *
 * Environment: PORT (default 3000), HOST (default localhost), DIST (default dist/), HTTP=1 (plain http, e.g.
 * for the playground only; Office will not load an http add-in).
 */
import { X509Certificate } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** MIME types by extension. */
export const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.xml': 'application/xml; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.jpg': 'image/jpeg',
  '.txt': 'text/plain; charset=utf-8',
  '.bin': 'application/octet-stream',
};

/**
 * Headers on every response. No COOP/COEP: WebLLM needs no SharedArrayBuffer, and `require-corp` would block
 * office.js from Microsoft's CDN. `no-cache` so a rebuilt bundle is picked up (model weights are cached by WebLLM
 * in the browser's own storage, not by HTTP caching of this server).
 */
export const COMMON_HEADERS = {
  'cache-control': 'no-cache',
  'x-content-type-options': 'nosniff',
  // Word on the web shows the pane in an iframe of another site: allow that, and the worker/wasm it loads.
  'cross-origin-resource-policy': 'cross-origin',
  'access-control-allow-origin': '*',
};

/**
 * The Content-Security-Policy header for a file of `dir`, from the build's csp.json (addin/csp.ts): a page gets
 * its policy with frame-ancestors, a script the worker's policy (a same-origin worker takes its policy from its
 * script's response, not from the page's <meta>; that policy is what limits where WebLLM downloads from).
 * Other files get a deny-all policy. csp.json is read per request so a rebuild is picked up.
 */
export function cspHeader(dir, file) {
  let csp;
  try {
    csp = JSON.parse(readFileSync(path.join(dir, 'csp.json'), 'utf8'));
  } catch {
    csp = undefined;
  }
  const ext = path.extname(file).toLowerCase();
  if (ext === '.html') return csp?.pages?.[path.basename(file)] ?? "default-src 'none'; frame-ancestors 'none'";
  if (ext === '.js' || ext === '.mjs') return csp?.scripts ?? "default-src 'none'";
  return "default-src 'none'";
}

/** A request handler serving `dir` (index: playground.html). */
export function createHandler(dir) {
  const base = path.resolve(dir);
  return (req, res) => {
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      res.writeHead(400, { 'content-type': MIME['.txt'] }).end('bad request');
      return;
    }
    if (pathname === '/') pathname = '/playground.html';
    const file = path.normalize(path.join(base, pathname));
    if (!file.startsWith(base + path.sep) || !existsSync(file) || statSync(file).isDirectory()) {
      res.writeHead(404, { 'content-type': MIME['.txt'], ...COMMON_HEADERS }).end(`not found: ${pathname}`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const type = MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    res.writeHead(200, {
      'content-type': type,
      'content-length': statSync(file).size,
      ...COMMON_HEADERS,
      'content-security-policy': cspHeader(base, file),
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  };
}

/** Certificate and key for localhost in .certs/, generated on first use and when expired. */
export async function devCertificate(dir = path.join(ROOT, '.certs')) {
  const certFile = path.join(dir, 'localhost.crt');
  const keyFile = path.join(dir, 'localhost.key');
  if (existsSync(certFile) && existsSync(keyFile)) {
    const cert = readFileSync(certFile, 'utf8');
    const notAfter = new Date(new X509Certificate(cert).validTo);
    if (notAfter.getTime() - Date.now() > 24 * 3600 * 1000) return { cert, key: readFileSync(keyFile, 'utf8'), certFile, created: false };
  }
  const { default: selfsigned } = await import('selfsigned');
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + 825 * 24 * 3600 * 1000); // the longest browsers accept
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }, { name: 'organizationName', value: 'Liuhen development' }], {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
    ],
  });
  mkdirSync(dir, { recursive: true });
  writeFileSync(certFile, pems.cert);
  writeFileSync(keyFile, pems.private, { mode: 0o600 });
  return { cert: pems.cert, key: pems.private, certFile, created: true };
}

function instructions(origin, certFile, created) {
  const rel = path.relative(process.cwd(), certFile) || certFile;
  return `
Liuhen is being served at ${origin}/
  Playground (no Word needed):  ${origin}/playground.html
  Word task pane:               ${origin}/taskpane.html
  Model check (GPU, download):  ${origin}/model-check.html

${created ? 'Created a development certificate' : 'Using the development certificate'} ${rel} (localhost, 127.0.0.1).
Word only loads add-ins over https it trusts. Trust the certificate once:
  Windows:  certutil -user -addstore Root ${rel}
  macOS:    sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ${rel}
  Browser:  open ${origin}/ once and accept the certificate (Word on the web, playground).

Sideload manifest.xml (it points at https://localhost:3000):
  Word on the web:  Home → Add-ins → More Add-ins → My Add-ins → Upload My Add-in → manifest.xml
  Word on Windows:  put manifest.xml in a shared folder, add that folder's \\\\server\\share path under
                    File → Options → Trust Center → Trust Center Settings → Trusted Add-in Catalogs
                    (tick "Show in Menu"), restart Word, then Home → Add-ins → Shared Folder → Liuhen
  Word on Mac:      copy manifest.xml to ~/Library/Containers/com.microsoft.Word/Data/Documents/wef/
                    (create the folder if needed), restart Word, then Home → Add-ins → Liuhen
Tracked changes need WordApi 1.4 (Microsoft 365, Word 2021+ retail); Liuhen says so when Word lacks it.

Press Ctrl+C to stop.
`;
}

async function main() {
  const dist = path.resolve(process.env.DIST ?? path.join(ROOT, 'dist'));
  if (!existsSync(path.join(dist, 'taskpane.html')) && !existsSync(path.join(dist, 'playground.html'))) {
    console.error(`Nothing to serve in ${dist}: build first (npm start builds, or npm run build).`);
    process.exit(1);
  }
  const port = Number(process.env.PORT ?? 3000);
  const host = process.env.HOST ?? 'localhost';
  const handler = createHandler(dist);
  const plain = process.env.HTTP === '1';
  let server;
  let certInfo = { certFile: '', created: false };
  if (plain) server = createHttpServer(handler);
  else {
    const { cert, key, certFile, created } = await devCertificate();
    certInfo = { certFile, created };
    server = createHttpsServer({ cert, key }, handler);
  }
  server.on('error', (error) => {
    console.error(error.code === 'EADDRINUSE' ? `Port ${port} is in use: stop the other server or set PORT=…` : String(error));
    process.exit(1);
  });
  server.listen(port, host, () => {
    const origin = `${plain ? 'http' : 'https'}://${host}:${port}`;
    console.log(plain ? `Liuhen (http, playground only): ${origin}/playground.html` : instructions(origin, certInfo.certFile, certInfo.created));
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
