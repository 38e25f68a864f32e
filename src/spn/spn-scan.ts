/**
 * The forest-wide duplicate scan at bounded memory. While pages stream in it keeps, per SPN, only a
 * 64-bit hash of the lower-cased SPN and the index of its first holder (in typed arrays, 12 bytes a
 * slot), and per account its RDN with an interned parent DN. An SPN whose hash is seen again makes
 * both holders candidates at once; so does an SPN whose HOST/ alias (sPNMappings) is held by another
 * account, in either order. After the scan the caller re-reads the candidates in full
 * (`accountsByDn`) and SpnIndex decides over them exactly as over the whole forest: every holder
 * of a real duplicate or alias collision is a candidate, and a hash collision costs one re-read.
 */
import { SpnIndex } from './duplicates.js';
import type { AccountRef, AliasCollision, DuplicateSpn } from '../model/index.js';

// The two hashes' seeds and multipliers: the LDIF scanner computes the same over an export's bytes
// (src/directory/ldif-scan.c spn_hash; test/directory/ldif-dupes.test.ts fails if the two differ).
const H1_SEED = 0x811c9dc5; // FNV-1a offset basis
const H1_MUL = 0x01000193; // FNV prime
const H2_SEED = 0x9747b28c;
const H2_MUL = 0x5bd1e995; // murmur's m

/** Two 32-bit hashes (FNV-1a and a murmur-style mix) of the lower-cased text, without building it. */
export function spnHash(text: string): [number, number] {
  // eslint-disable-next-line no-control-regex -- the range \x00-\x7f is ASCII: only non-ASCII text needs toLowerCase()
  const s = /[^\x00-\x7f]/.test(text) ? text.toLowerCase() : text;
  let h1 = H1_SEED;
  let h2 = H2_SEED;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32; // ASCII lower case, as toLowerCase() does for these
    h1 = Math.imul(h1 ^ c, H1_MUL);
    h2 = Math.imul(h2 ^ c, H2_MUL);
    h2 ^= h2 >>> 15;
  }
  return [h1 >>> 0, h2 >>> 0];
}

/** Open addressing, linear probing: 64-bit hash → account index (first one stored wins). */
class HashTable {
  private mask = (1 << 12) - 1;
  private h1 = new Uint32Array(this.mask + 1);
  private h2 = new Uint32Array(this.mask + 1);
  private val = new Int32Array(this.mask + 1).fill(-1);
  private size = 0;

  get(a: number, b: number): number | undefined {
    for (let i = a & this.mask; ; i = (i + 1) & this.mask) {
      const v = this.val[i];
      if (v === -1) return undefined;
      if (this.h1[i] === a && this.h2[i] === b) return v;
    }
  }

  /** Stores idx unless the key is present; returns the index stored before, if any. */
  putIfAbsent(a: number, b: number, idx: number): number | undefined {
    if ((this.size + 1) * 10 > (this.mask + 1) * 6) this.grow();
    for (let i = a & this.mask; ; i = (i + 1) & this.mask) {
      const v = this.val[i];
      if (v === -1) {
        this.h1[i] = a;
        this.h2[i] = b;
        this.val[i] = idx;
        this.size++;
        return undefined;
      }
      if (this.h1[i] === a && this.h2[i] === b) return v;
    }
  }

  private grow(): void {
    const [h1, h2, val] = [this.h1, this.h2, this.val];
    this.mask = this.mask * 2 + 1;
    this.h1 = new Uint32Array(this.mask + 1);
    this.h2 = new Uint32Array(this.mask + 1);
    this.val = new Int32Array(this.mask + 1).fill(-1);
    this.size = 0;
    // h1, h2 and val have the same length (mask + 1).
    for (let i = 0; i < val.length; i++) if (val[i] !== -1) this.putIfAbsent(h1[i]!, h2[i]!, val[i]!);
  }
}

/** Index of the comma ending the RDN (a `\,` inside a value does not count), or -1. */
function rdnEnd(dn: string): number {
  for (let i = dn.indexOf(','); i !== -1; i = dn.indexOf(',', i + 1)) {
    let slashes = 0;
    for (let j = i - 1; j >= 0 && dn[j] === '\\'; j--) slashes++;
    if (slashes % 2 === 0) return i;
  }
  return -1;
}

/**
 * A copy that does not keep the whole source string alive (V8 slices share their parent). V8 copies a
 * slice shorter than 13 characters anyway, so those (most RDNs) are taken as they are.
 */
const own = (s: string) => (s.length < 13 ? s : Buffer.from(s, 'utf8').toString('utf8'));

/** One account of a candidate re-read: the reference plus every SPN it holds now. */
export type CandidateAccount = AccountRef & { servicePrincipalName: string[] };

export class SpnScan {
  private readonly rdns: string[] = [];
  private readonly parentOf: number[] = [];
  private readonly parents = new Map<string, number>();
  private readonly parentNames: string[] = [];
  /** SPN hash → first holder. */
  private readonly holders = new HashTable();
  /** HOST/ alias hash of a service SPN → first holder of such a service SPN. */
  private readonly aliasHolders = new HashTable();
  /** Further service holders per alias hash (rare: two service classes or accounts naming one host SPN). */
  private readonly moreAliasHolders = new Map<string, number[]>();
  private readonly candidateSet = new Set<number>();
  /** Service class as written → its sPNMappings target ('' when none): one lower-casing per class, not per SPN. */
  private readonly classTargets = new Map<string, string>();
  /** The trimmed SPNs of the account being added (instead of a Set per account). */
  private readonly seen: string[] = [];
  spnCount = 0;

  /** `mappings`: alias class (lower case) → target class, from the forest's sPNMappings. */
  constructor(readonly mappings: Map<string, string> = new Map()) {}

  get accountCount(): number {
    return this.rdns.length + (this.scanned?.accounts ?? 0);
  }

  /** Accounts a caller scanned by this rule itself (addScanned). */
  private scanned?: { accounts: number; candidates: number[] };
  /**
   * The outcome of the same scan done elsewhere (an export's SPN store in the LDIF scanner's module,
   * src/directory/ldif-dupes.ts): `accounts` accounts known by references 0 … accounts − 1 (their
   * DNs from resolveWith's function), `spns` SPNs, and the references of the candidates, ascending,
   * as add() over the same accounts would have found them. Only on a scan nothing was added to.
   */
  addScanned(accounts: number, spns: number, candidates: number[]): void {
    if (this.rdns.length || this.scanned) throw new Error('SpnScan.addScanned: the scan already has accounts');
    this.scanned = { accounts, candidates };
    this.spnCount = spns;
  }

  /** `i` is an account index add() assigned: rdns and parentOf have an entry for it, parentNames for its parent. */
  private dnOf(i: number): string {
    const p = this.parentOf[i]!;
    return p < 0 ? this.rdns[i]! : `${this.rdns[i]!},${this.parentNames[p]!}`;
  }

  private resolve?: (ref: number) => string;
  /** For addScanned(): how the caller's reference becomes the DN, when candidates() asks. */
  resolveWith(resolve: (ref: number) => string): void {
    this.resolve = resolve;
  }

  private pair(a: number, b: number): void {
    if (a === b) return;
    this.candidateSet.add(a);
    this.candidateSet.add(b);
  }

  add(dn: string, spns: string[]): void {
    const idx = this.rdns.length;
    const cut = rdnEnd(dn);
    if (cut < 0) {
      this.rdns.push(own(dn));
      this.parentOf.push(-1);
    } else {
      const parent = dn.slice(cut + 1);
      let p = this.parents.get(parent);
      if (p === undefined) {
        const name = own(parent);
        p = this.parentNames.push(name) - 1;
        this.parents.set(name, p);
      }
      this.rdns.push(own(dn.slice(0, cut)));
      this.parentOf.push(p);
    }
    const seen = this.seen;
    seen.length = 0;
    const many = spns.length > 16 ? new Set<string>() : undefined; // a few SPNs: a scan of the array is cheaper
    for (const raw of spns) {
      const spn = raw.trim();
      if (!spn || (many ? many.has(spn) : seen.includes(spn))) continue;
      if (many) many.add(spn);
      else seen.push(spn);
      const [a, b] = spnHash(spn);
      const slash = spn.indexOf('/');
      const target = slash > 0 ? this.classTarget(spn.slice(0, slash)) : undefined;
      const alias = target ? spnHash(`${target}${spn.slice(slash)}`) : undefined;
      this.addSpnHash(idx, a, b, alias?.[0], alias?.[1]);
    }
  }

  /**
   * One SPN of account `idx` (trimmed, not empty, not seen before on it), as spnHash gives it, with the
   * hash (ha, hb) of its HOST/ alias when its class is mapped (sPNMappings).
   */
  private addSpnHash(idx: number, a: number, b: number, ha?: number, hb?: number): void {
    this.spnCount++;
    const first = this.holders.putIfAbsent(a, b, idx);
    if (first !== undefined) {
      // Seen before: on another account a duplicate; on this one the same SPN in other case
      // (SpnIndex sorts that out). Either way the holders are candidates.
      this.candidateSet.add(first);
      this.candidateSet.add(idx);
    }
    // This SPN is the HOST/ alias of service SPNs seen earlier on other accounts?
    const service = this.aliasHolders.get(a, b);
    if (service !== undefined) {
      this.pair(service, idx);
      for (const s of this.moreAliasHolders.get(`${a}:${b}`) ?? []) this.pair(s, idx);
    }
    // A service SPN (http/x): is its HOST/ alias held elsewhere already? Remember it for later ones.
    if (ha !== undefined && hb !== undefined) {
      const host = this.holders.get(ha, hb);
      if (host !== undefined) this.pair(host, idx);
      const earlier = this.aliasHolders.putIfAbsent(ha, hb, idx);
      if (earlier !== undefined && earlier !== idx) {
        const key = `${ha}:${hb}`;
        const more = this.moreAliasHolders.get(key);
        if (more) more.push(idx);
        else this.moreAliasHolders.set(key, [idx]);
      }
    }
  }

  private lastClass = '';
  private lastTarget = '';
  /** The service class's sPNMappings target, or undefined (also for a caller that hashes SPNs itself). */
  classTarget(cls: string): string | undefined {
    if (cls === this.lastClass) return this.lastTarget || undefined; // SPNs of one class come in runs (HOST/x, HOST/X)
    let t = this.classTargets.get(cls);
    if (t === undefined) {
      t = this.mappings.get(cls.toLowerCase()) ?? '';
      if (this.classTargets.size < 10_000) this.classTargets.set(cls, t);
    }
    this.lastClass = cls;
    this.lastTarget = t;
    return t || undefined;
  }

  /** DNs to re-read in full, in scan order: every holder of an SPN seen twice or of a possible alias collision. */
  candidates(): string[] {
    if (this.scanned) {
      const resolve = this.resolve;
      if (!resolve) throw new Error('SpnScan.candidates: addScanned() needs resolveWith() to name its accounts');
      return this.scanned.candidates.map(resolve);
    }
    return [...this.candidateSet].sort((a, b) => a - b).map((i) => this.dnOf(i));
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
