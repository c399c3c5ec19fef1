/**
 * Whether the page's Content-Security-Policy lets a model be downloaded: a company model on a host the build did
 * not put in `connect-src` (addin/csp.ts) would fail at Load with a bare network error. Checked when the registry
 * file is read, so the model area says which host and how to allow it. Browser-safe, no DOM needed for the
 * matching itself.
 */

/** The `connect-src` sources of a policy (undefined when it has none: then nothing is restricted by it). */
export function connectSources(policy: string): string[] | undefined {
  for (const directive of policy.split(';')) {
    const [name, ...values] = directive.trim().split(/\s+/);
    if (name?.toLowerCase() === 'connect-src') return values;
  }
  return undefined;
}

/** Whether `url` matches one CSP source expression (the forms Liuhen's builds write: 'self', https hosts with `*.` and paths). */
function matches(url: URL, source: string, self: string | undefined): boolean {
  if (source === "'self'") return self !== undefined && url.origin === self;
  if (source === '*') return url.protocol !== 'data:' && url.protocol !== 'blob:';
  const m = /^(https?):\/\/(\*\.)?([^/:]+)(:\d+|:\*)?(\/.*)?$/i.exec(source);
  if (!m) return false;
  const [, scheme, wildcard, host = '', port, pathPart] = m;
  if (`${scheme?.toLowerCase()}:` !== url.protocol && !(scheme?.toLowerCase() === 'http' && url.protocol === 'https:')) return false;
  const hostname = url.hostname.toLowerCase();
  const h = host.toLowerCase();
  if (wildcard ? !hostname.endsWith(`.${h}`) : hostname !== h) return false;
  if (port !== ':*') {
    const want = port ? port.slice(1) : '';
    if (url.port !== want) return false;
  }
  if (pathPart && pathPart !== '/') return pathPart.endsWith('/') ? url.pathname.startsWith(pathPart) : url.pathname === pathPart;
  return true;
}

/** Whether the sources allow a request to `url` (`self`: the page's origin). */
export function connectAllowed(url: string, sources: readonly string[], self?: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  return sources.some((s) => matches(u, s, self));
}

/** The policy of the current page, from its `<meta http-equiv>` (undefined outside a page or without one). */
export function pagePolicy(): string | undefined {
  if (typeof document === 'undefined') return undefined;
  return document.querySelector<HTMLMetaElement>('meta[http-equiv="Content-Security-Policy" i]')?.content ?? undefined;
}
