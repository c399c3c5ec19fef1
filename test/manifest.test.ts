/**
 * The Word add-in manifest: valid against the Office manifest schema (xmllint, offline), asks for what Liuhen
 * needs (ReadWriteDocument, WordApi 1.1 so Word without 1.4 still loads it, a Home-tab button opening the task pane), its icons exist as real PNGs
 * of the declared sizes, and the production rewrite keeps it valid.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { rewriteManifestUrls } from '../addin/word/manifest-rewrite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const schema = path.resolve(root, '../shared/office-manifest-schemas/OfficeAppManifestV1_1.xsd');
const manifestPath = path.join(root, 'manifest.xml');
const manifest = readFileSync(manifestPath, 'utf8');

function xmllint(file: string): { status: number | null; output: string } {
  const r = spawnSync('xmllint', ['--noout', '--schema', schema, file], { encoding: 'utf8' });
  if (r.error) throw new Error(`xmllint could not run (Debian package libxml2-utils): ${r.error.message}`);
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

function tempManifest(xml: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'liuhen-manifest-'));
  const file = path.join(dir, 'manifest.xml');
  writeFileSync(file, xml);
  return file;
}

/** Width and height from a PNG's IHDR chunk (throws when the file is not a PNG). */
function pngSize(file: string): { width: number; height: number } {
  const b = readFileSync(file);
  if (b.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a' || b.subarray(12, 16).toString('ascii') !== 'IHDR') throw new Error(`${file} is not a PNG`);
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

describe('manifest.xml', () => {
  it('validates against the Office add-in manifest schema', () => {
    const r = xmllint(manifestPath);
    expect(r.output).toContain('validates');
    expect(r.status).toBe(0);
  });

  it('a broken manifest fails validation', () => {
    const broken = manifest.replace('<Permissions>ReadWriteDocument</Permissions>', '<Permissions>ReadWriteEverything</Permissions>');
    expect(broken).not.toBe(manifest);
    const r = xmllint(tempManifest(broken));
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/Permissions/);
    const noId = xmllint(tempManifest(manifest.replace(/<Id>[^<]*<\/Id>/, '')));
    expect(noId.status).not.toBe(0);
  });

  it('is a Word task pane that can write the document and loads in Word without WordApi 1.4 (the copy path)', () => {
    expect(manifest).toMatch(/xsi:type="TaskPaneApp"/);
    expect(manifest).toContain('<Host Name="Document" />');
    expect(manifest).toContain('<Permissions>ReadWriteDocument</Permissions>');
    // Word 2016/2019/2021 volume licences stop at WordApi 1.3: a 1.4 requirement would hide Liuhen from them
    // entirely, and the pane's "Copy to clipboard" path for them could never be reached.
    const sets = [...manifest.matchAll(/<Set Name="WordApi" MinVersion="([\d.]+)" \/>/g)].map((m) => m[1]);
    expect(sets).toEqual(['1.1']);
    expect(manifest).toMatch(/<Sets DefaultMinVersion="1.1">/);
    expect(manifest).toContain('<SourceLocation DefaultValue="https://localhost:3000/taskpane.html" />');
  });

  it('has a Home-tab button that opens the task pane', () => {
    expect(manifest).toMatch(/<ExtensionPoint xsi:type="PrimaryCommandSurface">\s*<OfficeTab id="TabHome">/);
    expect(manifest).toMatch(/<Action xsi:type="ShowTaskpane">\s*<TaskpaneId>Liuhen.Pane<\/TaskpaneId>\s*<SourceLocation resid="Taskpane.Url" \/>/);
    expect(manifest).toContain('<bt:Url id="Taskpane.Url" DefaultValue="https://localhost:3000/taskpane.html" />');
  });

  it('every icon it names exists under addin/assets as a PNG of the declared size', () => {
    const icons = [...manifest.matchAll(/https:\/\/localhost:3000\/assets\/(icon-(\d+)\.png)/g)];
    expect(new Set(icons.map((m) => m[2]))).toEqual(new Set(['16', '32', '64', '80']));
    for (const [, file, size] of icons) {
      const p = path.join(root, 'addin/assets', file ?? '');
      expect(existsSync(p)).toBe(true);
      expect(pngSize(p)).toEqual({ width: Number(size), height: Number(size) });
    }
  });
});

describe('rewriteManifestUrls', () => {
  it('points every URL at the production base; the result still validates', () => {
    const out = rewriteManifestUrls(manifest, { baseUrl: 'https://hr-tools.example.com/liuhen/', version: '1.2.0.0' });
    expect(out).not.toContain('localhost');
    expect(out).toContain('<SourceLocation DefaultValue="https://hr-tools.example.com/liuhen/taskpane.html" />');
    expect(out).toContain('<bt:Image id="Icon.16x16" DefaultValue="https://hr-tools.example.com/liuhen/assets/icon-16.png" />');
    expect(out).toContain('<AppDomain>https://hr-tools.example.com</AppDomain>');
    expect(out).toContain('<Version>1.2.0.0</Version>');
    const r = xmllint(tempManifest(out));
    expect(r.status).toBe(0);
  });

  it('a base at the root of a host works too', () => {
    const out = rewriteManifestUrls(manifest, { baseUrl: 'https://liuhen.example.org' });
    expect(out).toContain('DefaultValue="https://liuhen.example.org/taskpane.html"');
  });

  it('refuses what Office would not load, with a clear message', () => {
    expect(() => rewriteManifestUrls(manifest, { baseUrl: 'http://example.com/' })).toThrow(/https/);
    expect(() => rewriteManifestUrls(manifest, { baseUrl: 'not a url' })).toThrow(/not a URL/);
    expect(() => rewriteManifestUrls(manifest, { baseUrl: 'https://example.com/?x=1' })).toThrow(/query/);
    expect(() => rewriteManifestUrls(manifest, { baseUrl: 'https://example.com/', version: '1.2' })).toThrow(/four numbers/);
  });
});

describe('production build of the manifest', () => {
  it('`--env addinUrl=…` writes dist/manifest.xml pointing at the company host, still valid', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'liuhen-build-'));
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'node_modules/webpack-cli/bin/cli.js', '--mode', 'production', '--env', 'pages=commands', '--env', `outDir=${out}`, '--env', 'addinUrl=https://hr-tools.example.com/liuhen/'],
      { cwd: root, encoding: 'utf8' },
    );
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    const built = path.join(out, 'manifest.xml');
    const xml = readFileSync(built, 'utf8');
    expect(xml).not.toContain('localhost');
    expect(xml).toContain('https://hr-tools.example.com/liuhen/taskpane.html');
    expect(xmllint(built).status).toBe(0);
  }, 120_000);
});
