/**
 * `spn dupes` on an export without a string per SPN (issue 15, target 6): the SPN holders the index
 * pass kept as bytes (SpnStore) go into the compact scan (src/spn/spn-scan.ts) as the hashes its
 * add() would compute from the same text: trimmed, ASCII upper case as lower case, each SPN once per
 * account, the HOST/ alias of a mapped service class. A holder with a non-ASCII byte or more than 16
 * SPNs is decoded and given to add() as text instead. DNs are made only for the candidates.
 */
import { spnHash, spnHashBytes, type SpnScan } from '../spn/spn-scan.js';
import type { SpnStore } from './ldif-index.js';

const isSpace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d); // what String.prototype.trim removes, in ASCII
const SLASH = 0x2f;

/** Whether b[s, e) equals one of the ranges already taken (exact bytes: add() compares exact text). */
function taken(b: Uint8Array, s: number, e: number, ranges: number[]): boolean {
  next: for (let r = 0; r < ranges.length; r += 2) {
    const rs = ranges[r]!;
    if (ranges[r + 1]! - rs !== e - s) continue;
    for (let i = 0; i < e - s; i++) if (b[rs + i] !== b[s + i]) continue next;
    return true;
  }
  return false;
}

/** Whether b at `s` holds the bytes of `w`. */
function same(b: Uint8Array, s: number, w: Uint8Array): boolean {
  for (let i = 0; i < w.length; i++) if (b[s + i] !== w[i]) return false;
  return true;
}

export function feedSpnScan(store: SpnStore, scan: SpnScan, spns: number): void {
  scan.resolveWith((k) => store.get(k).dn);
  scan.reserve(spns);
  const key = { h1: 0, h2: 0 };
  const alias = { h1: 0, h2: 0 };
  const ranges: number[] = [];
  let cls = new Uint8Array(0); // the last service class, its target as bytes (undefined: not mapped) and as text
  let target: Uint8Array | undefined;
  let targetText = '';
  let k = 0;
  for (const d of store.segments()) {
    const b = Buffer.from(d.bytes.buffer, d.bytes.byteOffset, d.used);
    for (let h = 0; h < d.holders; h++, k++) {
      const from = d.firsts[h]!;
      const to = h + 1 < d.holders ? d.firsts[h + 1]! : d.pieces;
      let plain = to - from - 1 <= 16;
      for (let i = d.ends[from]!, end = d.ends[to - 1]!; plain && i < end; i++) plain = b[i]! < 0x80;
      if (!plain) {
        const text = store.get(k);
        scan.add(text.dn, text.servicePrincipalName);
        continue;
      }
      const idx = scan.addRef(k);
      ranges.length = 0;
      for (let p = from + 1; p < to; p++) {
        let s = d.ends[p - 1]!;
        let e = d.ends[p]!;
        while (s < e && isSpace(b[s]!)) s++;
        while (e > s && isSpace(b[e - 1]!)) e--;
        if (s === e || taken(b, s, e, ranges)) continue;
        ranges.push(s, e);
        let slash = s;
        while (slash < e && b[slash] !== SLASH) slash++;
        let mapped = false;
        if (slash > s && slash < e) {
          if (slash - s !== cls.length || !same(b, s, cls)) {
            cls = b.slice(s, slash);
            targetText = scan.classTarget(Buffer.from(cls.buffer, cls.byteOffset, cls.length).toString('latin1')) ?? '';
            target = targetText ? Buffer.from(targetText, 'utf8') : undefined;
          }
          mapped = target !== undefined;
          // A mapping to a non-ASCII class (never seen in AD) is lower-cased as text, as add() does.
          if (target && target.length === targetText.length) spnHashBytes(alias, b, slash, e, target);
          else if (target) [alias.h1, alias.h2] = spnHash(`${targetText}${b.toString('latin1', slash, e)}`);
        }
        spnHashBytes(key, b, s, e);
        if (mapped) scan.addSpnHash(idx, key.h1, key.h2, alias.h1, alias.h2);
        else scan.addSpnHash(idx, key.h1, key.h2);
      }
    }
  }
}
