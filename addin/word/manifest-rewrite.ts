/**
 * Production manifests: the checked-in manifest.xml points at the dev server (https://localhost:3000). A build
 * for a company's own host rewrites every such URL to where the add-in is served, without touching anything
 * else (pure string transform, so webpack, a CLI or a test can call it).
 */

/** The origin the checked-in manifest uses for development. */
export const DEV_ORIGIN = 'https://localhost:3000';

/** Options of {@link rewriteManifestUrls}. */
export interface ManifestRewrite {
  /** Where the built add-in is served, e.g. `https://hr-tools.example.com/liuhen/`. Must be https. */
  baseUrl: string;
  /** Optional four-part version (`1.2.0.0`) to stamp into `<Version>`. */
  version?: string;
}

function xmlAttr(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/**
 * Rewrites the development URLs of `xml` to `baseUrl`. `<AppDomain>` gets the origin only; every other URL keeps
 * its path below the base. Throws a RangeError with a clear message for a base that is not an https URL, has a
 * query or fragment, or a version that is not four dot-separated numbers.
 */
export function rewriteManifestUrls(xml: string, options: ManifestRewrite): string {
  let base: URL;
  try {
    base = new URL(options.baseUrl);
  } catch {
    throw new RangeError(`manifest base URL "${options.baseUrl}" is not a URL`);
  }
  if (base.protocol !== 'https:') throw new RangeError(`manifest base URL must use https (Office loads add-ins over https only), got ${base.protocol}`);
  if (base.search !== '' || base.hash !== '') throw new RangeError('manifest base URL must not have a query or fragment');
  const prefix = `${base.origin}${base.pathname.replace(/\/+$/, '')}`;
  let out = xml.replace(/<AppDomain>\s*https:\/\/localhost:3000\/?\s*<\/AppDomain>/g, `<AppDomain>${xmlAttr(base.origin)}</AppDomain>`);
  out = out.replace(/https:\/\/localhost:3000(?=[/"<\s])/g, xmlAttr(prefix));
  if (options.version !== undefined) {
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(options.version)) throw new RangeError(`manifest version must be four numbers like 1.2.0.0, got "${options.version}"`);
    out = out.replace(/<Version>[^<]*<\/Version>/, `<Version>${options.version}</Version>`);
  }
  return out;
}
