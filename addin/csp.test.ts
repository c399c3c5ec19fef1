/** Build-time CSP helpers: model hosts from `--env modelHosts` are checked so a build cannot open connect-src. */
import { describe, expect, it } from 'vitest';
import { pageHeaderPolicy, pagePolicy, parseModelHosts, workerPolicy } from './csp';

describe('parseModelHosts', () => {
  it('accepts https origins, paths and a narrow leading wildcard', () => {
    expect(parseModelHosts('https://models.example.com, https://huggingface.co/acme/ https://*.cdn.example.com')).toEqual([
      'https://models.example.com',
      'https://huggingface.co/acme/',
      'https://*.cdn.example.com',
    ]);
    expect(parseModelHosts(undefined)).toEqual([]);
  });

  it.each(['*', 'https:', 'https://*.com', 'http://models.example.com', "https://a.example.com; script-src *", 'https://*', 'models.example.com'])(
    'refuses %s with a message naming it',
    (value) => {
      expect(() => parseModelHosts(value)).toThrow(RangeError);
      expect(() => parseModelHosts(value)).toThrow(/not an allowed model host/);
    },
  );
});

describe('policies', () => {
  it('add the deployment hosts to connect-src of pages and the worker, and office.js only where asked', () => {
    const hosts = ['https://models.example.com'];
    expect(pagePolicy({ modelHosts: hosts })).toMatch(/connect-src 'self' [^;]*https:\/\/models\.example\.com/);
    expect(workerPolicy(hosts)).toMatch(/connect-src 'self' [^;]*https:\/\/models\.example\.com/);
    expect(pagePolicy()).not.toContain('appsforoffice');
    expect(pagePolicy({ office: true })).toContain("script-src 'self' 'wasm-unsafe-eval' https://appsforoffice.microsoft.com");
    expect(pagePolicy()).not.toContain('frame-ancestors');
    expect(pageHeaderPolicy()).toMatch(/frame-ancestors 'none'$/);
    expect(pageHeaderPolicy({ office: true })).toContain('https://*.officeapps.live.com');
  });
});
