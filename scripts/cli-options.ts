/**
 * Command-line options of the `npm run dataset` / `npm run eval` scripts, with Node's own `util.parseArgs`
 * (strict: an unknown option, a missing value or a stray argument is an error). Flags read as `'true'`.
 */
import { parseArgs } from 'node:util';

export function parseOptions(argv: string[], values: readonly string[], flags: readonly string[], fail: (message: string) => never): Map<string, string> {
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const v of values) options[v] = { type: 'string' };
  for (const f of flags) options[f] = { type: 'boolean' };
  let parsed: Record<string, string | boolean | undefined>;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(parsed)) {
    if (value === true) out.set(name, 'true');
    else if (typeof value === 'string') out.set(name, value);
  }
  return out;
}
