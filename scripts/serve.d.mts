/** Types of scripts/serve.mjs (plain JavaScript so `npm start` needs no loader). */
import type { IncomingMessage, ServerResponse } from 'node:http';

export declare const MIME: Record<string, string>;
export declare const COMMON_HEADERS: Record<string, string>;
/** The Content-Security-Policy header for `file` served from `dir` (from the build's csp.json). */
export declare function cspHeader(dir: string, file: string): string;
export declare function createHandler(dir: string): (req: IncomingMessage, res: ServerResponse) => void;
export declare function devCertificate(dir?: string): Promise<{ cert: string; key: string; certFile: string; created: boolean }>;
