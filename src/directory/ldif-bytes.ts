/**
 * Byte-level helpers of the LDIF reader (./ldif-parse.ts): attribute names are checked and matched on
 * the file's bytes, so a line the caller does not keep never becomes a string.
 */

const SEMI = 0x3b;

export const isAlpha = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
export const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
export const isB64 = (c: number) => isAlpha(c) || isDigit(c) || c === 0x2b || c === 0x2f;

/** FNV-1a over the lower-cased bytes of a name (ASCII), as a 32-bit number. */
export function hashName(b: Uint8Array, s: number, e: number): number {
  let h = 0x811c9dc5;
  for (let i = s; i < e; i++) h = Math.imul(h ^ (b[i]! | 0x20), 0x01000193);
  return h >>> 0;
}
export const hashOf = (name: string) => hashName(Buffer.from(name, 'latin1'), 0, name.length);

/**
 * The end of a valid attribute description starting at `s` (`name` or OID, then `;options`), or -1:
 * `^([A-Za-z][A-Za-z0-9-]*|[0-9]+(\.[0-9]+)*)((;[A-Za-z0-9-=]+)*)$` over [s, colon). Also where the
 * options start (the key ends there).
 */
export function checkName(b: Uint8Array, s: number, colon: number): number {
  let i = s;
  const c0 = b[i]!;
  if (isAlpha(c0)) {
    for (i++; i < colon; i++) {
      const c = b[i]!;
      if (!(isAlpha(c) || isDigit(c) || c === 0x2d)) break;
    }
  } else if (isDigit(c0)) {
    let dot = false;
    for (i++; i < colon; i++) {
      const c = b[i]!;
      if (isDigit(c)) dot = false;
      else if (c === 0x2e && !dot) dot = true;
      else break;
    }
    if (dot) return -1;
  } else return -1;
  const keyEnd = i;
  while (i < colon) {
    if (b[i] !== SEMI) return -1;
    const from = ++i;
    for (; i < colon; i++) {
      const c = b[i]!;
      if (!(isAlpha(c) || isDigit(c) || c === 0x2d || c === 0x3d)) break;
    }
    if (i === from) return -1;
  }
  return keyEnd;
}

/** Whether the bytes at `s` are `lower` (ASCII), ignoring case. */
export function equalsLower(b: Uint8Array, s: number, lower: Buffer): boolean {
  for (let i = 0; i < lower.length; i++) if ((b[s + i]! | 0x20) !== (lower[i]! | 0x20)) return false;
  return true;
}
