/** Audit helpers that work the same in browsers, workers and Node 20 (Web Crypto only). */

/** SHA-256 of the UTF-8 bytes of `text`, as lower-case hex. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A fresh random audit id (RFC 4122 v4 UUID). */
export function newAuditId(): string {
  return globalThis.crypto.randomUUID();
}
