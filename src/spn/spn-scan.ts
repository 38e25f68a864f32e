/**
 * The forest-wide duplicate scan at bounded memory: while pages stream in, keep only a compact key
 * per SPN — a 38-bit hash of the lower-cased SPN → the index of its first holder — and one DN per
 * account. Any SPN whose hash is seen again, on another account or (rarely) for another SPN with
 * the same hash, makes its holders candidates; so does an SPN whose HOST/ alias (sPNMappings) is
 * present. After the scan the caller re-reads the candidates in full (`accountsByDn`) and SpnIndex
 * decides over them exactly as over the whole forest: every holder of a real duplicate or alias
 * collision is a candidate, and a hash collision only costs one extra re-read.
 *
 * Memory per SPN is one Map entry with small-integer key and value (≈ 20 bytes) instead of the
 * SPN's text, its lower-cased copy and a holder list; per account one DN string.
 */
import { SpnIndex } from './duplicates.js';
import type { AccountRef, AliasCollision, DuplicateSpn } from '../directory/types.js';

const BUCKETS = 256;

/** Two FNV-1a style hashes over the lower-cased SPN: 8 bits pick a map, 30 bits are its (small-integer) key. */
function spnHash(spn: string): { bucket: number; key: number } {
  const s = /[^\x00-\x7f]/.test(spn) ? spn.toLowerCase() : spn;
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32; // ASCII lower case, as toLowerCase() does for these
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15);
  }
  return { bucket: (h2 ^ (h2 >>> 13)) & (BUCKETS - 1), key: (h1 ^ (h1 >>> 17)) & 0x3fffffff };
}

/** One account of a candidate re-read: the reference plus every SPN it holds now. */
export type CandidateAccount = AccountRef & { servicePrincipalName: string[] };

export class SpnScan {
  private readonly dns: string[] = [];
  /** Per bucket: hash key → first holder (account index). */
  private readonly first: Map<number, number>[] = Array.from({ length: BUCKETS }, () => new Map());
  /** bucket * 2^30 + key → later holders (account indexes), only for SPNs seen more than once. */
  private readonly again = new Map<number, number[]>();
  /** Pairs (service SPN hash, its HOST/ alias hash), flattened. */
  private readonly aliasPairs: number[] = [];
  spnCount = 0;

  /** `mappings`: alias class (lower case) → target class, from the forest's sPNMappings. */
  constructor(private readonly mappings: Map<string, string> = new Map()) {}

  get accountCount(): number {
    return this.dns.length;
  }

  add(dn: string, spns: string[]): void {
    const idx = this.dns.push(dn) - 1;
    const seen = new Set<string>();
    for (const raw of spns) {
      const spn = raw.trim();
      if (!spn || seen.has(spn)) continue;
      seen.add(spn);
      this.spnCount++;
      const { bucket, key } = spnHash(spn);
      const map = this.first[bucket];
      const holder = map.get(key);
      if (holder === undefined) map.set(key, idx);
      else {
        const id = bucket * 2 ** 30 + key;
        const more = this.again.get(id);
        if (more) more.push(idx);
        else this.again.set(id, [idx]);
      }
      const slash = spn.indexOf('/');
      const target = slash > 0 ? this.mappings.get(spn.slice(0, slash).toLowerCase()) : undefined;
      if (target) {
        const h = spnHash(`${target}${spn.slice(slash)}`);
        this.aliasPairs.push(bucket * 2 ** 30 + key, h.bucket * 2 ** 30 + h.key);
      }
    }
  }

  private holders(id: number, into: Set<number>): void {
    const first = this.first[Math.floor(id / 2 ** 30)].get(id % 2 ** 30);
    if (first !== undefined) into.add(first);
    for (const i of this.again.get(id) ?? []) into.add(i);
  }

  /** DNs to re-read in full, in scan order: every holder of an SPN seen twice or of a possible alias collision. */
  candidates(): string[] {
    const idx = new Set<number>();
    for (const id of this.again.keys()) this.holders(id, idx);
    for (let i = 0; i < this.aliasPairs.length; i += 2) {
      const [service, host] = [this.aliasPairs[i], this.aliasPairs[i + 1]];
      const hostFirst = this.first[Math.floor(host / 2 ** 30)].get(host % 2 ** 30);
      if (hostFirst === undefined) continue;
      const serviceFirst = this.first[Math.floor(service / 2 ** 30)].get(service % 2 ** 30);
      // One account holding both, nobody else: no collision possible.
      if (hostFirst === serviceFirst && !this.again.has(service) && !this.again.has(host)) continue;
      this.holders(service, idx);
      this.holders(host, idx);
    }
    return [...idx].sort((a, b) => a - b).map((i) => this.dns[i]);
  }

  /**
   * The result over the re-read candidates (in the order candidates() gave; an account deleted
   * since the scan is simply missing). Same answer as SpnIndex over the whole forest.
   */
  result(accounts: Iterable<CandidateAccount>, allowList: string[] = []): { duplicates: DuplicateSpn[]; aliasCollisions: AliasCollision[] } {
    const index = new SpnIndex(allowList);
    for (const a of accounts) index.add(a, a.servicePrincipalName);
    return { duplicates: index.duplicates(), aliasCollisions: index.aliasCollisions(this.mappings) };
  }
}
