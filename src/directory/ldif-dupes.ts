/**
 * `spn dupes` on an export without a string per SPN (issue 15, target 6): the SPN holders the index
 * pass kept (SpnStore) go into the compact scan (src/spn/spn-scan.ts) as the hashes its add() would
 * compute from the same text: trimmed, ASCII upper case as lower case, each SPN once per account,
 * the HOST/ alias of a mapped service class. The scanner computed them while it read the file
 * (./ldif-scan.c: both hashes of each SPN, of its alias as `host/…`, and the key hash of its class);
 * a holder the full reader indexed (a non-ASCII key, a folded value…) is decoded and given to add()
 * as text. DNs are made only for the candidates.
 */
import { spnHash, type SpnScan } from '../spn/spn-scan.js';
import { HASH_W, keyHash, P_CLASS, P_HASHED, P_SKIP, type SpnStore } from './ldif-index.js';

/**
 * Feeds the store's holders into `scan`; `resolved(dn, k)` hears of each candidate's DN as the scan
 * makes it (holder k: the caller reads it back by its index entry, not by DN).
 */
export function feedSpnScan(store: SpnStore, scan: SpnScan, spns: number, resolved?: (dn: string, k: number) => void): void {
  scan.resolveWith((k) => {
    const { dn } = store.get(k);
    resolved?.(dn, k);
    return dn;
  });
  scan.reserve(spns);
  // The mapped classes by the key hash the scanner gave each SPN's class (lower-cased as add() does);
  // another class with the same hash only makes more candidates, which the read-back sorts out.
  const targets = new Map<number, string>();
  for (const [cls, target] of scan.mappings) targets.set(keyHash(cls) >>> 0, target);
  let k = 0;
  for (const d of store.segments()) {
    const h = d.hashes;
    for (let j = 0; j < d.holders; j++, k++) {
      const from = d.firsts[j]!;
      const to = j + 1 < d.holders ? d.firsts[j + 1]! : d.pieces;
      if (!(h[HASH_W * from + 5]! & P_HASHED)) {
        const text = store.get(k);
        scan.add(text.dn, text.servicePrincipalName);
        continue;
      }
      const idx = scan.addRef(k);
      for (let p = from + 1, at = HASH_W * p; p < to; p++, at += HASH_W) {
        const flags = h[at + 5]!;
        if (flags & P_SKIP) continue;
        const target = flags & P_CLASS ? targets.get(h[at + 4]!) : undefined;
        if (target === undefined) scan.addSpnHash(idx, h[at]!, h[at + 1]!);
        else if (target === 'host') scan.addSpnHash(idx, h[at]!, h[at + 1]!, h[at + 2]!, h[at + 3]!);
        else {
          // A target other than host (AD maps every class to host): the alias hashed here, from the text.
          const spn = Buffer.from(d.bytes.buffer, d.bytes.byteOffset + d.ends[p - 1]!, d.ends[p]! - d.ends[p - 1]!).toString('latin1').trim();
          const [a, b] = spnHash(`${target}${spn.slice(spn.indexOf('/'))}`);
          scan.addSpnHash(idx, h[at]!, h[at + 1]!, a, b);
        }
      }
    }
  }
}
