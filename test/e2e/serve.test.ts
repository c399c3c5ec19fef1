/**
 * `npm start`'s server (scripts/serve.mjs): what a browser and Office need from it — the right MIME types
 * (wasm must be application/wasm), nothing outside dist/ reachable, and a development certificate for
 * localhost that is created once, offline, and reused.
 */
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler, devCertificate } from '../../scripts/serve.mjs';

describe('scripts/serve.mjs', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'liuhen-serve-'));
  const dist = path.join(dir, 'dist');
  const server = createServer(createHandler(dist));
  let origin = '';

  beforeAll(async () => {
    mkdirSync(path.join(dist, 'assets'), { recursive: true });
    writeFileSync(path.join(dist, 'playground.html'), '<!doctype html><title>p</title>');
    writeFileSync(path.join(dist, 'model.wasm'), Buffer.from([0, 97, 115, 109]));
    writeFileSync(path.join(dist, 'app.js'), 'console.log(1)');
    writeFileSync(path.join(dist, 'assets', 'icon-32.png'), Buffer.from([137, 80, 78, 71]));
    writeFileSync(path.join(dir, 'secret.txt'), 'outside dist');
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('serves pages, scripts, wasm and icons with their MIME types', async () => {
    const types = await Promise.all(['/playground.html', '/app.js', '/model.wasm', '/assets/icon-32.png', '/'].map(async (p) => (await fetch(origin + p)).headers.get('content-type')));
    expect(types).toEqual(['text/html; charset=utf-8', 'text/javascript; charset=utf-8', 'application/wasm', 'image/png', 'text/html; charset=utf-8']);
    const wasm = await fetch(`${origin}/model.wasm`);
    expect(new Uint8Array(await wasm.arrayBuffer())).toEqual(new Uint8Array([0, 97, 115, 109]));
    expect(wasm.headers.get('cache-control')).toBe('no-cache');
  });

  it('answers 404 for missing files and for paths that leave dist/', async () => {
    expect((await fetch(`${origin}/nope.js`)).status).toBe(404);
    expect((await fetch(`${origin}/%2e%2e/secret.txt`)).status).toBe(404);
    expect((await fetch(`${origin}/..%2fsecret.txt`)).status).toBe(404);
  });

  it('creates a localhost certificate once and reuses it', async () => {
    const certs = path.join(dir, '.certs');
    const first = await devCertificate(certs);
    expect(first.created).toBe(true);
    const x509 = new X509Certificate(first.cert);
    expect(x509.subjectAltName).toContain('DNS:localhost');
    expect(x509.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(new Date(x509.validTo).getTime()).toBeGreaterThan(Date.now() + 365 * 24 * 3600 * 1000);
    const second = await devCertificate(certs);
    expect(second.created).toBe(false);
    expect(second.cert).toBe(first.cert);
  });
});
