/**
 * `spn dupes` on an export without a string per SPN (issue 15, target 6): the candidates are found
 * over the hashes the scanner computed for every SPN the index pass kept (SpnStore), in the
 * scanner's module (./ldif-scan.c `dupes_*`), by the rule of the compact scan's add()
 * (src/spn/spn-scan.ts): trimmed, ASCII upper case as lower case, each SPN once per account, the
 * HOST/ alias of a mapped service class. Here only what the scanner could not hash: a holder the
 * full reader indexed (a non-ASCII key, a folded value…) is hashed from its text as add() would, and
 * so is the alias of a class mapped to a target other than host. DNs are made only for the
 * candidates.
 */
import { spnHash, type SpnScan } from '../spn/spn-scan.js';
import { HASH_W, keyHash, P_ALIAS, P_CLASS, P_HASHED, P_SKIP, type SpnStore, type SpnStoreDump } from './ldif-index.js';
import { spnCandidates } from './ldif-scan.js';

/** Hashes holder j of segment d from its text, as SpnScan.add() would (its pieces' flags: P_SKIP, or P_ALIAS with the alias). */
function hashText(d: SpnStoreDump, j: number, text: { servicePrincipalName: string[] }, scan: SpnScan): void {
  const h = d.hashes;
  const first = d.firsts[j]!;
  const seen = new Set<string>();
  text.servicePrincipalName.forEach((raw, i) => {
    const at = HASH_W * (first + 1 + i);
    const spn = raw.trim();
    h.fill(0, at, at + HASH_W);
    if (!spn || seen.has(spn)) {
      h[at + 5] = P_SKIP;
      return;
    }
    seen.add(spn);
    [h[at], h[at + 1]] = spnHash(spn);
    const slash = spn.indexOf('/');
    const target = slash > 0 ? scan.classTarget(spn.slice(0, slash)) : undefined;
    if (target) {
      [h[at + 2], h[at + 3]] = spnHash(`${target}${spn.slice(slash)}`);
      h[at + 5] = P_ALIAS;
    }
  });
  h[HASH_W * first + 5] = P_HASHED;
}

/**
 * Scans the store's holders into `scan` (SpnScan.addScanned); `resolved(dn, k)` hears of each
 * candidate's DN as the scan makes it (holder k: the caller reads it back by its index entry).
 */
export function feedSpnScan(label: string, store: SpnStore, scan: SpnScan, resolved?: (dn: string, k: number) => void): void {
  scan.resolveWith((k) => {
    const { dn } = store.get(k);
    resolved?.(dn, k);
    return dn;
  });
  // The classes mapped to host, by the key hash the scanner gave each SPN's class; another class with
  // the same hash only makes more candidates, which the read-back sorts out.
  const hostClasses: number[] = [];
  const otherTargets = new Map<number, string>();
  for (const [cls, target] of scan.mappings) {
    if (target === 'host') hostClasses.push(keyHash(cls) >>> 0);
    else otherTargets.set(keyHash(cls) >>> 0, target);
  }
  const segments = store.segments();
  let k = 0;
  for (const d of segments) {
    const h = d.hashes;
    for (let j = 0; j < d.holders; j++, k++) {
      const from = d.firsts[j]!;
      if (!(h[HASH_W * from + 5]! & P_HASHED)) hashText(d, j, store.get(k), scan);
      else if (otherTargets.size) {
        const to = j + 1 < d.holders ? d.firsts[j + 1]! : d.pieces;
        for (let p = from + 1, at = HASH_W * p; p < to; p++, at += HASH_W) {
          const target = h[at + 5]! & P_CLASS ? otherTargets.get(h[at + 4]!) : undefined;
          if (target === undefined) continue;
          // A target other than host (AD maps every class to host): the alias hashed here, from the text.
          const spn = Buffer.from(d.bytes.buffer, d.bytes.byteOffset + d.ends[p - 1]!, d.ends[p]! - d.ends[p - 1]!).toString('latin1').trim();
          [h[at + 2], h[at + 3]] = spnHash(`${target}${spn.slice(spn.indexOf('/'))}`);
          h[at + 5] = P_ALIAS;
        }
      }
    }
  }
  const { candidates, spns } = spnCandidates(label, segments, Uint32Array.from(hostClasses));
  const refs: number[] = [];
  for (let i = 0; i < candidates.length; i++) if (candidates[i]) refs.push(i);
  scan.addScanned(store.holders, spns, refs);
}
