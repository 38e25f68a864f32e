/**
 * The fast LDIF scanner of the index pass and of `spn dupes` (issue 15: a 200 000-object export at
 * close to the speed of reading it). One native `indexOf` per line, as a plain line count does; a
 * line is looked at only as far as its first byte unless that byte can begin one of the few
 * attribute names the index reads (dn, changetype, objectClass, sAMAccountName, userPrincipalName,
 * dNSHostName, servicePrincipalName, whenChanged, uSNChanged). No string, object or copy per line or
 * per record: a record comes out as byte ranges of the chunk in one reused object.
 *
 * Anything unusual in a record hands the record's block, whole, to the full reader (./ldif-parse.ts),
 * which decodes and checks it as `readLdif` does and names the line of an error: a folded or base64
 * value of an attribute the index reads, attribute options, a `:<` URL, a changetype other than add,
 * a block that does not start with `dn:` (version line, search reference, stray continuation), a
 * second `dn:`, the rarer attributes (sPNMappings, nETBIOSName, nCName), or whatever the caller's
 * `fast` callback declines. Lines the index does not read are not checked here: a bad one is named
 * when its record is read back or scanned in full.
 */
import { withRoom } from './int32-room.js';
import { LdifError, parseRecordBytes, type LdifRecord } from './ldif-parse.js';

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
  /** servicePrincipalName values: start, end pairs; `spnN` of them. */
  spn: Int32Array<ArrayBuffer>;
  spnN: number;
  /** objectClass values seen: CLASS_* bits. */
  classes: number;
}

export const CLASS_ANY = 1;
export const CLASS_USER = 2;
export const CLASS_COMPUTER = 4;
export const CLASS_GROUP = 8;

export interface ScanSink {
  /** A record in the fast path; return false to have it read by the full reader instead (then `slow` gets it). */
  fast(b: Buffer, r: FastRecord): boolean;
  slow(r: LdifRecord): void;
}

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const COLON = 0x3a;
const SEMI = 0x3b;
const LT = 0x3c;
const HASH = 0x23;

const name = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));
const N_CHANGETYPE = name('changetype');
const N_DNSHOSTNAME = name('dnshostname');
const N_OBJECTCLASS = name('objectclass');
const N_SAM = name('samaccountname');
const N_SPN = name('serviceprincipalname');
const N_SPNMAPPINGS = name('spnmappings');
const N_UPN = name('userprincipalname');
const N_USN = name('usnchanged');
const N_WHENCHANGED = name('whenchanged');
const N_NCNAME = name('ncname');
const N_NETBIOSNAME = name('netbiosname');

/** Where the value begins if the line at `p` is attribute `n` (any case) followed by `:`; -1 if not; -2: that attribute with options. */
function attr(b: Buffer, p: number, n: Uint8Array): number {
  const len = n.length;
  for (let i = 1; i < len; i++) if ((b[p + i]! | 0x20) !== n[i]) return -1;
  const c = b[p + len];
  return c === COLON ? p + len + 1 : c === SEMI ? -2 : -1;
}

/** Whether [s, e) is `word` (lower case, ASCII) in any case. */
function isWord(b: Buffer, s: number, e: number, word: Uint8Array): boolean {
  if (e - s !== word.length) return false;
  for (let i = 0; i < word.length; i++) if ((b[s + i]! | 0x20) !== word[i]) return false;
  return true;
}
const W_USER = name('user');
const W_COMPUTER = name('computer');
const W_GROUP = name('group');
const W_ADD = name('add');

/** What the previous line was, for a continuation line (one starting with a space). */
const K_NONE = 0;
const K_COMMENT = 1;
const K_SKIPPED = 2;
const K_READ = 3;

/** Lines → records over a growing window of the file; `push` returns how many bytes it consumed. */
export class Scanner {
  /** File offset of the window's first byte, line number of the line before it. */
  base = 0;
  line = 0;
  private readonly r: FastRecord = { start: 0, end: 0, line: 0, dnS: -1, dnE: -1, samS: -1, samE: -1, upnS: -1, upnE: -1, hostS: -1, hostE: -1, whenS: -1, whenE: -1, usnS: -1, usnE: -1, spn: new Int32Array(16), spnN: 0, classes: 0 };

  constructor(
    private readonly label: string,
    private readonly keep: ReadonlySet<string>,
    private readonly sink: ScanSink,
    /** Tests: every record through the full reader. */
    private readonly allSlow = false,
  ) {}

  /** Scans whole blocks of `b` (all of it when `last`); returns the offset where the unfinished block begins. */
  push(b: Buffer, last: boolean): number {
    const n = b.length;
    const r = this.r;
    let pos = 0;
    let line = this.line;
    let bs = 0; // the block's first byte, and the line before it
    let bLine = line;
    let started = false;
    let slow = this.allSlow;
    let kind = K_NONE;
    let content = false;
    let end = 0; // the end of the record's last line, in b
    for (;;) {
      let nl = b.indexOf(LF, pos);
      if (nl === -1) {
        if (!last || pos >= n) break;
        nl = n;
      }
      const stop = nl > pos && b[nl - 1] === CR ? nl - 1 : nl;
      const next = nl < n ? nl + 1 : n;
      line++;
      if (stop === pos) {
        if (content) this.block(b, bs, pos, bLine, started, slow, end);
        bs = next;
        bLine = line;
        started = false;
        slow = this.allSlow;
        kind = K_NONE;
        content = false;
      } else if (slow) {
        content = true; // the full reader takes this block: only its end matters
      } else {
        content = true;
        const c = b[pos]!;
        if (c === SPACE) {
          if (kind === K_SKIPPED) end = next;
          else if (kind !== K_COMMENT) slow = true; // a folded value the index reads, or a continuation of nothing
        } else if (c === HASH) {
          kind = K_COMMENT;
          if (started) end = next;
        } else if (!started) {
          // The first line must be `dn: ` with a plain value; anything else is the full reader's.
          const v = (c | 0x20) === 0x64 && (b[pos + 1]! | 0x20) === 0x6e && b[pos + 2] === COLON ? pos + 3 : -1;
          if (v < 0 || b[v] === COLON || b[v] === LT) slow = true;
          else {
            started = true;
            kind = K_READ;
            this.reset(pos, line);
            end = next;
            let s = v;
            while (s < stop && b[s] === SPACE) s++;
            r.dnS = s;
            r.dnE = stop;
          }
        } else {
          end = next;
          kind = K_SKIPPED;
          let v = -1;
          let field = 0;
          switch (c | 0x20) {
            case 0x63: // c
              if ((v = attr(b, pos, N_CHANGETYPE)) !== -1) field = 1;
              break;
            case 0x64: // d
              if ((b[pos + 1]! | 0x20) === 0x6e && (b[pos + 2] === COLON || b[pos + 2] === SEMI)) slow = true; // a second dn:
              else if ((v = attr(b, pos, N_DNSHOSTNAME)) !== -1) field = 2;
              break;
            case 0x6e: // n
              if (attr(b, pos, N_NCNAME) !== -1 || attr(b, pos, N_NETBIOSNAME) !== -1) slow = true;
              break;
            case 0x6f: // o
              if ((v = attr(b, pos, N_OBJECTCLASS)) !== -1) field = 3;
              break;
            case 0x73: // s
              if ((v = attr(b, pos, N_SAM)) !== -1) field = 4;
              else if ((v = attr(b, pos, N_SPN)) !== -1) field = 5;
              else if (attr(b, pos, N_SPNMAPPINGS) !== -1) slow = true;
              break;
            case 0x75: // u
              if ((v = attr(b, pos, N_UPN)) !== -1) field = 6;
              else if ((v = attr(b, pos, N_USN)) !== -1) field = 7;
              break;
            case 0x77: // w
              if ((v = attr(b, pos, N_WHENCHANGED)) !== -1) field = 8;
              break;
          }
          if (field) {
            kind = K_READ;
            if (v < 0 || b[v] === COLON || b[v] === LT) slow = true; // options, base64, a URL
            else {
              while (v < stop && b[v] === SPACE) v++;
              slow = !this.value(b, field, v, stop);
            }
          }
        }
      }
      pos = next;
      if (nl >= n) break;
    }
    if (last) {
      if (content) this.block(b, bs, n, bLine, started, slow, end);
      this.base += n;
      this.line = line;
      return n;
    }
    this.base += bs;
    this.line = bLine;
    return bs;
  }

  /** Records the value [s, e) of `field`; false: the full reader must take the record. */
  private value(b: Buffer, field: number, s: number, e: number): boolean {
    const r = this.r;
    switch (field) {
      case 1:
        return isWord(b, s, e, W_ADD);
      case 2:
        if (r.hostS < 0) {
          r.hostS = s;
          r.hostE = e;
        }
        return true;
      case 3:
        r.classes |= CLASS_ANY | (isWord(b, s, e, W_USER) ? CLASS_USER : isWord(b, s, e, W_COMPUTER) ? CLASS_COMPUTER : isWord(b, s, e, W_GROUP) ? CLASS_GROUP : 0);
        return true;
      case 4:
        if (r.samS < 0) {
          r.samS = s;
          r.samE = e;
        }
        return true;
      case 5: {
        r.spn = withRoom(r.spn, 2 * r.spnN + 2);
        r.spn[2 * r.spnN] = s;
        r.spn[2 * r.spnN + 1] = e;
        r.spnN++;
        return true;
      }
      case 6:
        if (r.upnS < 0) {
          r.upnS = s;
          r.upnE = e;
        }
        return true;
      case 7:
        if (r.usnS < 0) {
          r.usnS = s;
          r.usnE = e;
        }
        return true;
      default:
        if (r.whenS < 0) {
          r.whenS = s;
          r.whenE = e;
        }
        return true;
    }
  }

  private reset(pos: number, line: number): void {
    const r = this.r;
    r.start = this.base + pos;
    r.line = line;
    r.samS = r.upnS = r.hostS = r.whenS = r.usnS = -1;
    r.samE = r.upnE = r.hostE = r.whenE = r.usnE = -1;
    r.spnN = 0;
    r.classes = 0;
  }

  /** A block [bs, be) ended: the fast record, or the block through the full reader. */
  private block(b: Buffer, bs: number, be: number, bLine: number, started: boolean, slow: boolean, end: number): void {
    this.r.end = this.base + end;
    if (!slow && (!started || this.sink.fast(b, this.r))) return; // (a block of comments only holds no record)
    for (const rec of parseRecordBytes(this.label, this.keep, b.subarray(bs, be), this.base + bs, bLine)) this.sink.slow(rec);
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
    if (last) return;
    carry = b.subarray(used);
  }
}

