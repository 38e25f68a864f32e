/**
 * The fast LDIF scanner of the index pass and of `spn dupes` (issue 15: a 200 000-object export at
 * close to the speed of reading it). The lines are read by a WebAssembly module (./ldif-scan.c,
 * SIMD: no JavaScript call per line) in the scanner's own memory, where the file is read: a line is
 * looked at only as far as its first byte unless that byte can begin one of the few attribute names
 * the index reads (dn, changetype, objectClass, sAMAccountName, userPrincipalName, dNSHostName,
 * servicePrincipalName, whenChanged, uSNChanged), and the index's key hashes are computed there too.
 * No string, object or copy per line or per record: a record comes out as byte ranges and hashes in
 * one reused object, or, for the index's own sink (`ScanSink.index`), is appended by the module to
 * tables shaped as the index's, with spn dupes' hashes of each SPN; `spnCandidates` then finds spn
 * dupes' candidates over those hashes in the same module.
 *
 * Anything unusual in a record hands the record's block, whole, to the full reader (./ldif-parse.ts),
 * which decodes and checks it as `readLdif` does and names the line of an error: a folded or base64
 * value of an attribute the index reads, attribute options, a `:<` URL, a changetype other than add,
 * a block that does not start with `dn:` (version line, search reference, stray continuation), a
 * second `dn:`, the rarer attributes (sPNMappings, nETBIOSName, nCName), or whatever the caller's
 * `fast` callback declines. Lines the index does not read are not checked here: a bad one is named
 * when its record is read back or scanned in full.
 */
import { ErrorCode, KrbopsError } from '../errors.js';
import { withRoom } from './int32-room.js';
import { LdifError, parseRecordBytes, type LdifRecord } from './ldif-parse.js';
import { LDIF_SCAN_WASM } from './ldif-scan-wasm.js';
import { HASH_W } from './ldif-index.js';

/** One record in the fast path: byte ranges of the chunk `b` passed with it (-1: absent; values: the first one). */
export interface FastRecord {
  /** File offsets of the record's first byte and of the byte after its last line; 1-based line. */
  start: number;
  end: number;
  line: number;
  dnS: number;
  dnE: number;
  samS: number;
  samE: number;
  upnS: number;
  upnE: number;
  hostS: number;
  hostE: number;
  whenS: number;
  whenE: number;
  usnS: number;
  usnE: number;
  /** servicePrincipalName values: start, end and key hash (as dnKey) of each, SPN_W numbers apiece; `spnN` of them. */
  spn: Int32Array<ArrayBuffer>;
  spnN: number;
  /** objectClass values seen, bits: 1 any, 2 user, CLASS_COMPUTER, 8 group (./ldif-scan.c). */
  classes: number;
  /** The index's key hashes (./ldif-index.ts: FNV-1a of the ASCII-lower-cased bytes; 0 if absent), computed only for an account or an SPN holder. */
  dnKey: number;
  samKey: number;
  upnKey: number;
  hostKey: number;
  /** Where the dn's domain (its trailing DC= components) begins in the chunk, or -1 (accounts only). */
  dom: number;
  /** 1: an account (a user or computer objectClass, or no objectClass and a sAMAccountName); 0: not; -1: the index reads this record from the full reader (a group, a DC= head, a key that is not ASCII). */
  account: number;
}

export const CLASS_COMPUTER = 4;
/** Numbers per SPN in FastRecord.spn. */
export const SPN_W = 3;

/**
 * What the index's tables hold so far, where the scanner's index mode goes on from: the next entry,
 * the name arena's bytes, and the SPN store's bytes, pieces and holders.
 */
export interface TablesAt {
  entry: number;
  names: number;
  store: number;
  pieces: number;
  holders: number;
}

/**
 * The records the scanner took into the index in one call (./ldif-scan.c index mode), as views of
 * its memory, shaped as the index's own tables (./ldif-index.ts): valid until the next call.
 */
export class Taken {
  constructor(
    private readonly m: ArrayBuffer,
    /**
     * ./ldif-scan.c index_out(): 0 slots, 1-5 pairs of each key table, 6 names, 7 name bytes,
     * 8 SPN store pieces, 9 its bytes, 10 its holders, 11 domain runs, 12 objects, 13 accounts; then
     * the tables' addresses: 14 slots, 15 flags, 16-20 pairs, 21-23 names (bytes, ends, entries),
     * 24-28 SPN store (bytes, ends, hashes, first pieces, entries), 29-30 domains (bytes, runs).
     */
    private readonly t: Int32Array,
    /** How far the index tables may grow: the bytes to scan in all over the bytes scanned so far (1: unknown). */
    readonly scale: number,
  ) {}
  get objects(): number {
    return this.t[12]!;
  }
  get accounts(): number {
    return this.t[13]!;
  }
  /** Start, end and line per slot; the flags. */
  slots(): [Float64Array, Uint8Array] {
    const n = this.t[0]!;
    return [new Float64Array(this.m, this.t[14]!, 3 * n), new Uint8Array(this.m, this.t[15]!, n)];
  }
  /** (key, entry) pairs of table i: 0 dn, 1 sAMAccountName, 2 userPrincipalName, 3 dNSHostName, 4 SPN. */
  pairs(i: number): Int32Array {
    return new Int32Array(this.m, this.t[16 + i]!, 2 * this.t[1 + i]!);
  }
  /** Lower-cased sAMAccountNames: bytes, ends, entries. */
  names(): [Uint8Array, Int32Array, Int32Array] {
    const n = this.t[6]!;
    return [new Uint8Array(this.m, this.t[21]!, this.t[7]!), new Int32Array(this.m, this.t[22]!, n), new Int32Array(this.m, this.t[23]!, n)];
  }
  /** SPN holders: bytes, piece ends, piece hashes, first pieces, entries. */
  store(): [Uint8Array, Int32Array, Uint32Array, Int32Array, Int32Array] {
    const pieces = this.t[8]!;
    const holders = this.t[10]!;
    return [new Uint8Array(this.m, this.t[24]!, this.t[9]!), new Int32Array(this.m, this.t[25]!, pieces), new Uint32Array(this.m, this.t[26]!, HASH_W * pieces), new Int32Array(this.m, this.t[27]!, holders), new Int32Array(this.m, this.t[28]!, holders)];
  }
  /** Runs of accounts in one domain: the domain's bytes and how many. */
  *domains(): Iterable<[Buffer, number]> {
    const runs = new Int32Array(this.m, this.t[30]!, 3 * this.t[11]!);
    const bytes = Buffer.from(this.m, this.t[29]!);
    for (let i = 0; i < runs.length; i += 3) yield [bytes.subarray(runs[i]!, runs[i]! + runs[i + 1]!), runs[i + 2]!];
  }
}

export interface ScanSink {
  /** A record in the fast path; return false to have it read by the full reader instead (then `slow` gets it). */
  fast?(b: Buffer, r: FastRecord): boolean;
  /**
   * The index's own sink (./ldif-build.ts): the scanner appends the records it can take to tables
   * shaped as the index's (index mode, no call per record); `slow` gets the rest, in file order.
   */
  index?: { at(): TablesAt; take(t: Taken): void };
  slow(r: LdifRecord): void;
  /**
   * After the fast records of `b`: the greatest whenChanged value among those with `account` not -1
   * (as text), and the greatest uSNChanged (digits, the first not 0; as a number), as byte ranges of
   * `b` (-1: none).
   */
  greatest?(b: Buffer, whenS: number, whenE: number, usnS: number, usnE: number): void;
}

interface ScanExports {
  memory: WebAssembly.Memory;
  scan(at: number, n: number, last: number, allSlow: number): number;
  index_at(base: number, entry: number, names: number, store: number, pieces: number, holders: number): void;
  index_out(): number;
  dupes_begin(table: number, slots: number, cand: number, holders: number, classes: number, nClasses: number): void;
  dupes_pass(hash: number, firsts: number, holders: number, pieces: number, base: number, alias: number): void;
  dupes_spns(): number;
  recs(): number;
  greatest(): number;
  spns(): number;
  rec_count(): number;
  stopped_full(): number;
  lines(): number;
  set_lines(n: number): void;
  heap_base(): number;
}

/** The row of a block in the module's output (./ldif-scan.c). */
const REC_W = 28;
const PAGE = 65536;

let compiled: WebAssembly.Module | undefined;
/** An instance whose scan ended, with its memory (a fresh 8 MiB costs its page faults each time). */
let spare: ScanExports | undefined;
/** A memory grown past this (a huge record, spn dupes over a big store) is not kept for the next scan: the garbage collector frees it. */
const SPARE_MAX = 32 << 20;
function keep(x: ScanExports | undefined): void {
  if (x && x.memory.buffer.byteLength <= SPARE_MAX) spare ??= x;
}
/** Grows the module's memory to at least `end` bytes (views of it made before are then detached). */
function reach(x: ScanExports, end: number): void {
  const need = end - x.memory.buffer.byteLength;
  if (need > 0) x.memory.grow(Math.ceil(need / PAGE));
}
function instance(label: string): ScanExports {
  const x = spare;
  spare = undefined;
  if (x) return x;
  if (typeof WebAssembly !== 'object') throw new KrbopsError(ErrorCode.Internal, `${label}: reading an LDIF export needs WebAssembly, which this Node.js has switched off (--jitless?)`);
  compiled ??= new WebAssembly.Module(Buffer.from(LDIF_SCAN_WASM, 'base64'));
  return new WebAssembly.Instance(compiled).exports as unknown as ScanExports;
}

/** Lines → records over a growing window of the file; `push` returns how many bytes it consumed. */
export class Scanner {
  /** File offset of the window's first byte. */
  base = 0;
  /** Where the scan began, and how many bytes it is to read from there (0: unknown): index mode sizes the tables by them. */
  from = 0;
  expected = 0;
  private x: ScanExports | undefined;
  private readonly r: FastRecord = { start: 0, end: 0, line: 0, dnS: -1, dnE: -1, samS: -1, samE: -1, upnS: -1, upnE: -1, hostS: -1, hostE: -1, whenS: -1, whenE: -1, usnS: -1, usnE: -1, spn: new Int32Array(24), spnN: 0, classes: 0, dnKey: 0, samKey: 0, upnKey: 0, hostKey: 0, dom: -1, account: 0 };

  constructor(
    private readonly label: string,
    private readonly keep: ReadonlySet<string>,
    private readonly sink: ScanSink,
    /** Tests: every record through the full reader. */
    private readonly allSlow = false,
  ) {
    this.x = instance(label);
    this.x.set_lines(0);
  }

  private get exports(): ScanExports {
    if (!this.x) throw new KrbopsError(ErrorCode.Internal, `${this.label}: the LDIF scanner was used after release()`);
    return this.x;
  }

  /** The line number of the line before the unconsumed bytes. */
  get line(): number {
    return this.exports.lines();
  }
  set line(n: number) {
    this.exports.set_lines(n);
  }

  /**
   * A buffer of `size` bytes in the scanner's own memory: bytes read into it are scanned where they
   * are (bytes pushed from elsewhere are copied in first). A bigger size may move it: buffers this
   * returned before are then unusable (their bytes are not kept).
   */
  buffer(size: number): Buffer {
    const x = this.exports;
    const at = x.heap_base();
    reach(x, at + size);
    return Buffer.from(x.memory.buffer, at, size);
  }

  /** Gives the scanner's memory to the next scanner. */
  release(): void {
    keep(this.x);
    this.x = undefined;
  }

  /** Scans whole blocks of `b` (all of it when `last`); returns the offset where the unfinished block begins. */
  push(b: Buffer, last: boolean): number {
    const x = this.exports;
    let view = b;
    if (b.buffer !== x.memory.buffer) {
      view = this.buffer(b.length);
      b.copy(view);
    }
    let done = 0;
    const index = this.allSlow ? undefined : this.sink.index;
    for (;;) {
      if (index) {
        const at = index.at();
        x.index_at(this.base, at.entry, at.names, at.store, at.pieces, at.holders);
      }
      const used = x.scan(view.byteOffset + done, view.length - done, last ? 1 : 0, this.allSlow ? 1 : 0);
      if (index) {
        const scanned = this.base + used - this.from;
        const scale = this.expected > scanned && scanned > 0 ? (1.05 * this.expected) / scanned : 1;
        index.take(new Taken(x.memory.buffer, new Int32Array(x.memory.buffer, x.index_out(), 31), scale));
      }
      const g = new Int32Array(x.memory.buffer, x.greatest(), 4);
      if (g[0]! >= 0 || g[2]! >= 0) this.sink.greatest?.(view.subarray(done), g[0]!, g[1]!, g[2]!, g[3]!);
      if (x.rec_count()) this.blocks(view.subarray(done), x);
      done += used;
      this.base += used;
      if (!x.stopped_full()) return done;
    }
  }

  /** The blocks the module found in `b`: fast records to the sink, the rest (or a record it declines) to the full reader. */
  private blocks(b: Buffer, x: ScanExports): void {
    const n = x.rec_count();
    const o = new Int32Array(x.memory.buffer, x.recs(), n * REC_W);
    const spn = new Int32Array(x.memory.buffer, x.spns());
    const r = this.r;
    const base = this.base;
    for (let k = 0, i = 0; k < n; k++, i += REC_W) {
      if (o[i] === 1) {
        r.start = base + o[i + 4]!;
        r.end = base + o[i + 5]!;
        r.line = o[i + 6]!;
        r.dnS = o[i + 7]!;
        r.dnE = o[i + 8]!;
        r.samS = o[i + 9]!;
        r.samE = o[i + 10]!;
        r.upnS = o[i + 11]!;
        r.upnE = o[i + 12]!;
        r.hostS = o[i + 13]!;
        r.hostE = o[i + 14]!;
        r.whenS = o[i + 15]!;
        r.whenE = o[i + 16]!;
        r.usnS = o[i + 17]!;
        r.usnE = o[i + 18]!;
        r.classes = o[i + 19]!;
        const first = SPN_W * o[i + 20]!;
        const count = o[i + 21]!;
        r.spnN = count;
        if (count) {
          r.spn = withRoom(r.spn, SPN_W * count);
          for (let j = 0; j < SPN_W * count; j++) r.spn[j] = spn[first + j]!;
        }
        r.dnKey = o[i + 22]!;
        r.samKey = o[i + 23]!;
        r.upnKey = o[i + 24]!;
        r.hostKey = o[i + 25]!;
        r.dom = o[i + 26]!;
        r.account = o[i + 27]!;
        if (this.sink.fast?.(b, r)) continue;
      }
      const bs = o[i + 1]!;
      for (const rec of parseRecordBytes(this.label, this.keep, b.subarray(bs, o[i + 2]!), base + bs, o[i + 3]!)) this.sink.slow(rec);
    }
  }
}

/** One arena of the SPN store (./ldif-index.ts SpnStore): its pieces' hashes and its holders' first pieces. */
export interface HashedHolders {
  hashes: Uint32Array;
  firsts: Int32Array;
  holders: number;
  pieces: number;
}

/**
 * spn dupes' candidates over the SPN store's hashes, in the scanner's module (./ldif-scan.c
 * `dupes_*`: SpnScan's rule, no JavaScript per SPN): a flag per holder, in store order, and how many
 * SPNs were counted. `hostClasses`: the key hashes of the service classes mapped to host.
 */
export function spnCandidates(label: string, segments: HashedHolders[], hostClasses: Uint32Array): { candidates: Uint8Array; spns: number } {
  const x = instance(label);
  try {
    const holders = segments.reduce((n, d) => n + d.holders, 0);
    const pieces = segments.reduce((n, d) => n + d.pieces, 0);
    let slots = 1024;
    while (slots < 2 * pieces) slots *= 2;
    const up8 = (n: number) => (n + 7) & ~7;
    let at = x.heap_base();
    const table = at;
    at += slots * 12;
    const cand = at;
    at = up8(at + holders);
    const classes = at;
    at = up8(at + 4 * hostClasses.length);
    const placed = segments.map((d) => {
      const hash = at;
      at = up8(at + 4 * HASH_W * d.pieces);
      const firsts = at;
      at = up8(at + 4 * d.holders);
      return { hash, firsts };
    });
    reach(x, at);
    const mem = x.memory.buffer;
    new Uint32Array(mem, classes, hostClasses.length).set(Uint32Array.from(hostClasses).sort());
    segments.forEach((d, i) => {
      new Uint32Array(mem, placed[i]!.hash, HASH_W * d.pieces).set(d.hashes.subarray(0, HASH_W * d.pieces));
      new Int32Array(mem, placed[i]!.firsts, d.holders).set(d.firsts.subarray(0, d.holders));
    });
    x.dupes_begin(table, slots, cand, holders, classes, hostClasses.length);
    for (const alias of [0, 1]) {
      let base = 0;
      segments.forEach((d, i) => {
        x.dupes_pass(placed[i]!.hash, placed[i]!.firsts, d.holders, d.pieces, base, alias);
        base += d.holders;
      });
    }
    return { candidates: new Uint8Array(x.memory.buffer, cand, holders).slice(), spns: x.dupes_spns() };
  } finally {
    keep(x);
  }
}

/** Bytes at the start of a file: a UTF-8 BOM is skipped (its length), UTF-16 is refused. */
export function bomLength(label: string, b: Uint8Array): number {
  if (b[0] === 0xff && b[1] === 0xfe) throw new LdifError(label, 'is UTF-16 (ldifde -u); export without -u, or convert it to UTF-8 first', 1);
  return b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
}

/** The same over bytes in memory, split as a stream would split them (tests of chunk boundaries). */
export function scanLdifBytes(bytes: Buffer, label: string, keep: ReadonlySet<string>, sink: ScanSink, chunk = Infinity, allSlow = false): void {
  const scanner = new Scanner(label, keep, sink, allSlow);
  const from = bomLength(label, bytes);
  scanner.base = from;
  let carry = Buffer.alloc(0);
  for (let i = from; ; i += chunk) {
    const last = i + chunk >= bytes.length;
    const b = Buffer.concat([carry, bytes.subarray(i, Math.min(bytes.length, i + chunk))]);
    const used = scanner.push(b, last);
    if (last) return scanner.release();
    carry = b.subarray(used);
  }
}

