/**
 * The LDIF directory's index structures (issue 15: a 200 000-object export in bounded memory, built
 * at close to the speed of reading the file): byte ranges and flags in typed arrays, and every key
 * (DN, sAMAccountName, UPN, host name, SPN) as a 32-bit hash of its lower-cased UTF-8 bytes in an
 * open-addressing table. No string per key: a hit is confirmed against the entry read back.
 */

import { putAt, withRoom } from './int32-room.js';

/** Where an indexed entry is in the file. */
export interface Slot {
  start: number;
  end: number;
  line: number;
}

/** Slot flags. */
export const F_ACCOUNT = 1;
export const F_COMPUTER = 2;
export const F_SPN = 4;

/** Byte ranges of the indexed entries, three numbers each in one growing typed array (not an object per entry), and a flag byte. */
export class Slots {
  private a = new Float64Array(3 * 1024);
  private f = new Uint8Array(1024);
  length = 0;
  push(start: number, end: number, line: number, flags: number): number {
    if (this.length === this.f.length) this.resize(2 * this.f.length);
    const at = 3 * this.length;
    this.a[at] = start;
    this.a[at + 1] = end;
    this.a[at + 2] = line;
    this.f[this.length] = flags;
    return this.length++;
  }
  /** Appends the slots the scanner took (./ldif-scan.c index mode): start, end and line per slot, and the flags. */
  append(a: Float64Array, f: Uint8Array, scale = 1): void {
    const n = this.length + f.length;
    if (n > this.f.length) this.resize(Math.max(n, 2 * this.f.length, Math.ceil(n * scale))); // both arrays at once: `a` holds 3 numbers per flag
    this.a.set(a, 3 * this.length);
    this.f.set(f, this.length);
    this.length = n;
  }
  private resize(size: number): void {
    const a = new Float64Array(3 * size);
    a.set(this.a.subarray(0, 3 * this.length));
    this.a = a;
    const f = new Uint8Array(size);
    f.set(this.f.subarray(0, this.length));
    this.f = f;
  }
  get(i: number): Slot | undefined {
    if (!(i >= 0 && i < this.length)) return undefined;
    return { start: this.a[3 * i]!, end: this.a[3 * i + 1]!, line: this.a[3 * i + 2]! + this.linesBefore(i) };
  }
  flags(i: number): number {
    return i >= 0 && i < this.length ? this.f[i]! : 0;
  }
  /** The arrays as they are (to transfer from a worker, ./ldif-pieces.ts). */
  dump(): SlotsDump {
    return { a: this.a, f: this.f, n: this.length };
  }
  /** From slot shifts[2k] on, line numbers are shifts[2k + 1] further on (the pieces after the first). */
  private readonly shifts: number[] = [];
  private linesBefore(i: number): number {
    for (let k = this.shifts.length - 2; k >= 0; k -= 2) if (i >= this.shifts[k]!) return this.shifts[k + 1]!;
    return 0;
  }
  /** Appends the slots of a later byte range (copied whole), their line numbers moved on by `lines`. */
  absorb(d: SlotsDump, lines: number): void {
    const n = this.length + d.n;
    if (n > this.f.length) this.resize(Math.max(n, 2 * this.f.length));
    this.a.set(d.a.subarray(0, 3 * d.n), 3 * this.length);
    this.f.set(d.f.subarray(0, d.n), this.length);
    if (lines) this.shifts.push(this.length, lines);
    this.length = n;
  }
}
export interface SlotsDump {
  a: Float64Array<ArrayBuffer>;
  f: Uint8Array<ArrayBuffer>;
  n: number;
}

/** ASCII lower case of a byte (other bytes unchanged). */
const LOWER = Uint8Array.from({ length: 256 }, (_, c) => (c >= 0x41 && c <= 0x5a ? c | 0x20 : c));

/** ASCII lower case of four bytes in one int32 (./ldif-scan.c lower4): bit 5 set in each byte from 'A' to 'Z'. */
function lower4(w: number): number {
  const low7 = w & 0x7f7f7f7f;
  return w | (((low7 + 0x3f3f3f3f) & ~(low7 + 0x25252525) & ~w & 0x80808080) >>> 2);
}

/**
 * The hash of a key given as text (already lower-cased as the index lower-cases it: toLowerCase,
 * normaliseSpn): over its UTF-8 bytes in ASCII lower case, FNV-1a's multiply on four bytes
 * (little-endian) at a time with the high bits folded down after each, then byte by byte. The index
 * pass computes the same over the file's bytes in ./ldif-scan.c (`fnv`);
 * test/directory/ldif-scan.test.ts fails if the two differ.
 */
export function keyHash(key: string): number {
  const b = Buffer.from(key, 'utf8');
  let h = 0x811c9dc5;
  let i = 0;
  for (; i + 4 <= b.length; i += 4) {
    h = Math.imul(h ^ lower4(b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)), 0x01000193);
    h ^= h >>> 15;
  }
  for (; i < b.length; i++) h = Math.imul(h ^ LOWER[b[i]!]!, 0x01000193);
  return h;
}

/** Murmur3's finaliser: spreads FNV's bits before masking to a table slot. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * 32-bit key hash → entries (several per key allowed: two accounts with one SPN, or a hash collision).
 * The index pass only appends (key, entry) pairs; the open-addressing table (linear probing, keys and
 * entries interleaved) is built at the first lookup, so a table nobody asks (the name tables during
 * `spn dupes`) costs its pairs and nothing more.
 */
export class HashIndex {
  private pairs = new Int32Array(2048);
  private n = 0;
  /** The pairs of later byte ranges (./ldif-pieces.ts), as they came, with what their entries are moved on by. */
  private readonly more: { pairs: Int32Array; n: number; base: number }[] = [];
  private table: Int32Array | undefined;
  private mask = 0;

  get size(): number {
    return this.more.reduce((n, m) => n + m.n, this.n);
  }

  add(key: number, idx: number): void {
    this.pairs = withRoom(this.pairs, 2 * this.n + 2);
    this.pairs[2 * this.n] = key;
    this.pairs[2 * this.n + 1] = idx;
    this.n++;
    this.table = undefined;
  }

  /** Appends (key, entry) pairs as add() would one by one (the scanner's, ./ldif-scan.c index mode). */
  append(pairs: Int32Array, scale = 1): void {
    this.pairs = putAt(this.pairs, 2 * this.n, pairs, scale);
    this.n += pairs.length >> 1;
    this.table = undefined;
  }

  dump(): { pairs: Int32Array<ArrayBuffer>; n: number } {
    return { pairs: this.pairs, n: this.n };
  }

  /** Appends the pairs of a later byte range (kept as they are), their entries moved on by `entries`; only after the last add(). */
  absorb(d: { pairs: Int32Array; n: number }, entries: number): void {
    this.more.push({ pairs: d.pairs, n: d.n, base: entries });
    this.table = undefined;
  }

  get(key: number): number[] {
    const t = this.table ?? this.build();
    const k = key | 0;
    const out: number[] = [];
    for (let i = mix(k) & this.mask; ; i = (i + 1) & this.mask) {
      const v = t[2 * i + 1]!;
      if (v === 0) return out;
      if (t[2 * i] === k) out.push(v - 1);
    }
  }

  /** The table from the pairs, in insertion order; a pair already present (same key, same entry) is left out. Entries are stored + 1 (0: empty). */
  private build(): Int32Array {
    let size = 1024;
    while (size < 2 * this.size + 2) size *= 2;
    const t = new Int32Array(2 * size);
    const mask = (this.mask = size - 1);
    for (const { pairs: p, n, base } of [{ pairs: this.pairs, n: this.n, base: 0 }, ...this.more]) {
      for (let j = 0; j < n; j++) {
        const k = p[2 * j]!;
        const v = p[2 * j + 1]! + base + 1;
        for (let i = mix(k) & mask; ; i = (i + 1) & mask) {
          const cur = t[2 * i + 1]!;
          if (cur === 0) {
            t[2 * i] = k;
            t[2 * i + 1] = v;
            break;
          }
          if (cur === v && t[2 * i] === k) break;
        }
      }
    }
    return (this.table = t);
  }
}

/** sAMAccountNames in lower case, one byte arena, in file order: the close matches of an unknown name (a prefix search). */
export class NameList {
  private bytes = new Uint8Array(1 << 16);
  private used = 0;
  /** Per name: the end of its bytes and its entry. */
  private ends = new Int32Array(1024);
  private idx = new Int32Array(1024);
  private n = 0;

  add(b: Uint8Array, s: number, e: number, idx: number): void {
    this.room(e - s);
    for (let i = s; i < e; i++) this.bytes[this.used++] = LOWER[b[i]!]!;
    this.push(this.used, idx);
  }

  /** The byte arena's offset after the last name (the scanner writes its names' ends from there). */
  get bytesUsed(): number {
    return this.used;
  }

  /** Appends names the scanner lower-cased (./ldif-scan.c index mode): their bytes, ends (from bytesUsed on) and entries. */
  append(bytes: Uint8Array, ends: Int32Array, idx: Int32Array, scale = 1): void {
    this.bytes = putAt(this.bytes, this.used, bytes, scale);
    this.used += bytes.length;
    this.ends = putAt(this.ends, this.n, ends, scale);
    this.idx = putAt(this.idx, this.n, idx, scale);
    this.n += ends.length;
  }

  private room(more: number): void {
    if (this.used + more <= this.bytes.length) return;
    const bigger = new Uint8Array(Math.max(this.bytes.length * 2, this.used + more));
    bigger.set(this.bytes.subarray(0, this.used));
    this.bytes = bigger;
  }

  private push(end: number, idx: number): void {
    this.ends = withRoom(this.ends, this.n + 1);
    this.idx = withRoom(this.idx, this.n + 1);
    this.ends[this.n] = end;
    this.idx[this.n++] = idx;
  }

  dump(): NameListDump {
    return { bytes: this.bytes, used: this.used, ends: this.ends, idx: this.idx, n: this.n };
  }

  /** The names of later byte ranges (kept as they are), their entries moved on by `entries`; only after the last add(). */
  private readonly more: { d: NameListDump; entries: number }[] = [];
  absorb(d: NameListDump, entries: number): void {
    this.more.push({ d, entries });
  }

  /** Entries whose name starts with `prefix` (lower case), the first `max` in file order. */
  startingWith(prefix: string, max: number): number[] {
    const p = Buffer.from(prefix, 'utf8');
    const out: number[] = [];
    for (const { d, entries } of [{ d: this.dump(), entries: 0 }, ...this.more]) {
      for (let k = 0, s = 0; k < d.n && out.length < max; s = d.ends[k++]!) {
        if (d.ends[k]! - s < p.length) continue;
        let i = 0;
        while (i < p.length && d.bytes[s + i] === p[i]) i++;
        if (i === p.length) out.push(d.idx[k]! + entries);
      }
    }
    return out;
  }
}
export interface NameListDump {
  bytes: Uint8Array<ArrayBuffer>;
  used: number;
  ends: Int32Array<ArrayBuffer>;
  idx: Int32Array<ArrayBuffer>;
  n: number;
}

/** Numbers per piece in SpnStore's hashes (./ldif-scan.c HASH_W): spn dupes' hashes of an SPN and of its HOST/ alias, its class's key hash, flags. */
export const HASH_W = 6;
/** Piece flags (./ldif-scan.c): an SPN to leave out (empty, or written twice on the holder); one with a service class; on a DN piece, its holder's SPNs carry hashes. */
export const P_SKIP = 1;
export const P_CLASS = 2;
export const P_HASHED = 4;
/** On an SPN piece: its alias hashes are its own (a holder hashed from its text, a class mapped to another target than host). */
export const P_ALIAS = 8;

/**
 * The SPN holders' DNs and SPNs as UTF-8 bytes in one arena, in file order, kept by the index pass
 * so that `spn dupes` needs no second read of the file, with each holder's entry and, for the
 * holders the scanner took, spn dupes' hashes of each SPN (HASH_W numbers per piece). Up to
 * `budget` bytes; past it the store drops itself (`dropped`) and the scan reads the holders'
 * records from the file instead.
 */
export class SpnStore {
  private bytes = new Uint8Array(1 << 16);
  private used = 0;
  /** End offsets of the pieces (a holder's DN, then its SPNs); `firsts[k]`: holder k's first piece. */
  private ends = new Int32Array(1024);
  private hashes = new Uint32Array(HASH_W * 1024);
  private pieces = 0;
  private firsts = new Int32Array(256);
  private slots = new Int32Array(256);
  private nHolders = 0;
  dropped = false;

  constructor(private readonly budget = 32 << 20) {}

  get holders(): number {
    return this.nHolders + this.moreHolders;
  }

  /** Where the arena and the piece and holder counts stand (the scanner writes its pieces from there). */
  get at(): { used: number; pieces: number; holders: number } {
    return { used: this.used, pieces: this.pieces, holders: this.nHolders };
  }

  /** Starts holder of entry `idx`; then `piece` its DN and each SPN (without hashes: spn dupes reads them as text). */
  holder(idx: number): void {
    if (this.dropped) return;
    this.firsts = withRoom(this.firsts, this.nHolders + 1);
    this.slots = withRoom(this.slots, this.nHolders + 1);
    this.firsts[this.nHolders] = this.pieces;
    this.slots[this.nHolders++] = idx;
  }

  private room(more: number): void {
    if (this.used + more <= this.bytes.length) return;
    const bigger = new Uint8Array(Math.min(this.budget, Math.max(2 * this.bytes.length, this.used + more)));
    bigger.set(this.bytes.subarray(0, this.used));
    this.bytes = bigger;
  }

  piece(b: Uint8Array, s: number, e: number): void {
    if (this.dropped) return;
    if (this.used + e - s > this.budget) return this.drop();
    this.room(e - s);
    this.bytes.set(b.subarray(s, e), this.used);
    this.used += e - s;
    this.ends = withRoom(this.ends, this.pieces + 1);
    this.hashes = withRoom(this.hashes, HASH_W * (this.pieces + 1));
    this.hashes.fill(0, HASH_W * this.pieces, HASH_W * (this.pieces + 1));
    this.ends[this.pieces++] = this.used;
  }

  /** Appends the holders the scanner took (./ldif-scan.c index mode): bytes, piece ends (from `at.used` on), hashes, first pieces, entries. */
  append(bytes: Uint8Array, ends: Int32Array, hashes: Uint32Array, firsts: Int32Array, slots: Int32Array, scale = 1): void {
    if (this.dropped || !firsts.length) return;
    if (this.used + bytes.length > this.budget) return this.drop();
    this.bytes = putAt(this.bytes, this.used, bytes, Math.min(scale, this.budget / (this.used + bytes.length)));
    this.used += bytes.length;
    this.ends = putAt(this.ends, this.pieces, ends, scale);
    this.hashes = putAt(this.hashes, HASH_W * this.pieces, hashes, scale);
    this.pieces += ends.length;
    this.firsts = putAt(this.firsts, this.nHolders, firsts, scale);
    this.slots = putAt(this.slots, this.nHolders, slots, scale);
    this.nHolders += firsts.length;
  }

  private drop(): void {
    this.dropped = true;
    this.bytes = new Uint8Array(0);
    this.ends = new Int32Array(0);
    this.hashes = new Uint32Array(0);
    this.firsts = new Int32Array(0);
    this.slots = new Int32Array(0);
    this.nHolders = 0;
  }

  dump(): SpnStoreDump {
    return { bytes: this.bytes, used: this.used, ends: this.ends, hashes: this.hashes, pieces: this.pieces, firsts: this.firsts, slots: this.slots, holders: this.nHolders, dropped: this.dropped, entries: 0 };
  }

  /** The holders of later byte ranges (kept as they are), from holder `from` on, their entries moved on by `entries`; only after the last piece(). */
  private readonly more: { d: SpnStoreDump; from: number }[] = [];
  private moreHolders = 0;
  private moreUsed = 0;
  absorb(d: SpnStoreDump, entries: number): void {
    if (this.dropped) return;
    this.moreUsed += d.used;
    if (d.dropped || this.used + this.moreUsed > this.budget) {
      this.more.length = this.moreHolders = 0;
      return this.drop(); // as one store would, past the budget
    }
    this.more.push({ d: { ...d, entries }, from: this.holders });
    this.moreHolders += d.holders;
  }

  /** The arenas, in holder order (this store's own, then the later byte ranges'); a segment's holder k is entry `slots[k] + entries`. */
  segments(): SpnStoreDump[] {
    return [this.dump(), ...this.more.map((m) => m.d)];
  }

  private segment(k: number): { d: SpnStoreDump; k: number } {
    if (k < this.nHolders) return { d: this.dump(), k };
    let lo = 0;
    for (let hi = this.more.length - 1; lo < hi; ) {
      const mid = (lo + hi + 1) >> 1;
      if (this.more[mid]!.from <= k) lo = mid;
      else hi = mid - 1;
    }
    const m = this.more[lo]!;
    return { d: m.d, k: k - m.from };
  }

  /** Holder k as text: its DN and SPNs. */
  get(k: number): { dn: string; servicePrincipalName: string[] } {
    const s = this.segment(k);
    return holderText(s.d, s.k);
  }

  /** Holder k's index entry. */
  entry(k: number): number {
    const s = this.segment(k);
    return s.d.slots[s.k]! + s.d.entries;
  }
}

function holderText(d: SpnStoreDump, k: number): { dn: string; servicePrincipalName: string[] } {
  const buf = bufferOf(d);
  const from = d.firsts[k]!;
  const to = k + 1 < d.holders ? d.firsts[k + 1]! : d.pieces;
  const spns: string[] = [];
  for (let p = from + 1; p < to; p++) spns.push(buf.toString('utf8', d.ends[p - 1]!, d.ends[p]!));
  return { dn: buf.toString('utf8', from ? d.ends[from - 1]! : 0, d.ends[from]!), servicePrincipalName: spns };
}

/** One Buffer view per arena (not one per holder read). */
const views = new WeakMap<Uint8Array, Buffer>();
function bufferOf(d: SpnStoreDump): Buffer {
  let b = views.get(d.bytes);
  if (!b || b.length !== d.used) views.set(d.bytes, (b = Buffer.from(d.bytes.buffer, d.bytes.byteOffset, d.used)));
  return b;
}
export interface SpnStoreDump {
  bytes: Uint8Array<ArrayBuffer>;
  used: number;
  ends: Int32Array<ArrayBuffer>;
  hashes: Uint32Array<ArrayBuffer>;
  pieces: number;
  firsts: Int32Array<ArrayBuffer>;
  /** Per holder, its index entry (moved on by `entries` in a later byte range's store). */
  slots: Int32Array<ArrayBuffer>;
  holders: number;
  dropped: boolean;
  entries: number;
}
