/**
 * A streaming LDIF reader for directory exports: `ldifde -f out.ldf` (`changetype: add`, CRLF) and
 * `ldapsearch -LLL` (lines folded at 76 columns, base64 `::` values, one line per value). RFC 2849.
 *
 * Records come out one at a time with the byte range they occupy in the file, so a caller can keep
 * an index of offsets instead of the entries and read one entry back later (`readRecordAt`).
 * A line that is not LDIF stops the read with an LdifError naming the file and the line number.
 *
 * It works on the file's bytes (issue 15: a 200 000-object export at close to the speed of reading
 * it): every line is checked, but only the values of the attributes the caller keeps are decoded;
 * an attribute name is matched by a hash of its bytes, so a skipped line (memberOf…) makes no string.
 */
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { ErrorCode, KrbopsError } from '../errors.js';
import { checkName, equalsLower, hashName, hashOf, isB64 } from './ldif-bytes.js';

/** One LDIF record: its DN and its attributes (names as written, values as UTF-8 text). */
export interface LdifRecord {
  dn: string;
  /** Attribute name in lower case (options such as `;binary` removed) → values. */
  attrs: Map<string, string[]>;
  /** Values of attributes written with `::` (base64), kept as bytes when the caller asks for them. */
  binary: Map<string, Buffer[]>;
  /** 1-based line number of the record's first line. */
  line: number;
  /** Byte offset of the record's first line, and of the byte after its last line. */
  start: number;
  end: number;
}

/** The export file cannot be read as LDIF; `line` names where. */
export class LdifError extends KrbopsError {
  constructor(
    file: string,
    /** The message without the file and line (a worker's error is made again with the line in the whole file). */
    readonly reason: string,
    readonly line?: number,
  ) {
    super(ErrorCode.InvalidInput, `${file}${line ? ` line ${line}` : ''}: ${reason}`, { details: { file, ...(line ? { line } : {}) } });
  }
}

/** Attributes kept as bytes (security descriptors, SIDs, GUIDs): never decoded as text. */
const BINARY = new Set(['objectsid', 'objectguid', 'msds-allowedtoactonbehalfofotheridentity', 'ntsecuritydescriptor', 'invocationid']);

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const COLON = 0x3a;
const HASH = 0x23;

/** Records without binary values share this (read-only by convention) instead of a Map each. */
const NO_BINARY: Map<string, Buffer[]> = new Map();

/** Names the reader always looks at, whatever the caller keeps. */
const SPECIAL = ['dn', 'changetype', 'version', 'ref', 'search'];

interface Pending {
  rec: LdifRecord;
  dn?: string;
  /** The block is not an entry (version line alone, search reference): the rest is skipped. */
  skip: boolean;
  /** The block began with `version: 1`. */
  sawVersion?: boolean;
}

/**
 * Bytes → records. Lines are byte ranges of the buffer; a record that continues past the end of a
 * chunk is parsed again, whole, from the next one (records are small), so no line is ever copied
 * except a folded one (ldapsearch's 76-column continuation lines).
 */
class RecordReader {
  private carry: Buffer | undefined;
  /** Absolute offset of buf[0], the line number of its first line. */
  private base = 0;
  private lineAtBase = 0;
  private first = true;
  /** Keys wanted (lower case): by name hash, with the bytes to confirm a match. */
  private readonly wanted = new Map<number, { key: string; bytes: Buffer; special: boolean; keep: boolean }>();
  private readonly all: boolean;

  constructor(
    private readonly file: string,
    keep: ReadonlySet<string> | undefined,
  ) {
    this.all = !keep;
    for (const k of [...(keep ?? []), ...SPECIAL]) {
      const h = hashOf(k);
      const prev = this.wanted.get(h);
      if (prev && prev.key !== k) throw new Error(`LDIF reader: attribute names ${prev.key} and ${k} share a hash`);
      this.wanted.set(h, { key: k, bytes: Buffer.from(k, 'latin1'), special: SPECIAL.includes(k) || !!prev?.special, keep: !!keep?.has(k) || !!prev?.keep });
    }
  }

  push(raw: Buffer, out: LdifRecord[]): void {
    let buf = this.carry ? Buffer.concat([this.carry, raw]) : raw;
    if (this.first) {
      this.first = false;
      if (buf[0] === 0xff && buf[1] === 0xfe) throw new LdifError(this.file, 'is UTF-16 (ldifde -u); export without -u, or convert it to UTF-8 first', 1);
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
        buf = buf.subarray(3);
        this.base = 3;
      }
    }
    const done = this.parse(buf, false, out);
    this.carry = done < buf.length ? Buffer.from(buf.subarray(done)) : undefined;
  }

  /** Parses `buf`, whole, as the bytes at file offset `base` after line `lineBefore` (a block or one record read back). */
  whole(buf: Buffer, base: number, lineBefore: number, out: LdifRecord[]): void {
    this.first = false;
    this.base = base;
    this.lineAtBase = lineBefore;
    this.parse(buf, true, out);
  }

  end(out: LdifRecord[]): void {
    if (this.carry) this.parse(this.carry, true, out);
    this.carry = undefined;
  }

  /**
   * Parses whole records of `buf`; returns how many bytes were consumed (the start of a record, or
   * of a line, that the buffer does not hold to its end). `last`: the buffer ends the input.
   */
  private parse(buf: Buffer, last: boolean, out: LdifRecord[]): number {
    let pos = 0;
    let line = this.lineAtBase;
    /** Where the unfinished record (or line) began, to resume from there. */
    let resume = 0;
    let resumeLine = line;
    let cur: Pending | undefined;
    let inComment = false;
    // The logical line being gathered (a first physical line and its continuations).
    let ls = -1;
    let le = -1;
    let lline = 0;
    let folded: Buffer[] | undefined;
    const flush = () => {
      if (ls < 0) return;
      if (folded) this.logical(Buffer.concat(folded), 0, -1, lline, cur!);
      else this.logical(buf, ls, le, lline, cur!);
      ls = -1;
      folded = undefined;
    };
    const finish = () => {
      flush();
      if (cur && cur.dn !== undefined && !cur.skip) out.push(cur.rec);
      cur = undefined;
    };
    for (;;) {
      let nl = buf.indexOf(LF, pos);
      if (nl === -1) {
        if (!last || pos >= buf.length) break;
        nl = buf.length;
      }
      const stop = nl > pos && buf[nl - 1] === CR ? nl - 1 : nl;
      const next = Math.min(nl + 1, buf.length);
      line++;
      const abs = this.base + pos;
      if (stop === pos) {
        finish();
        inComment = false;
        resume = next;
        resumeLine = line;
      } else if (buf[pos] === SPACE) {
        // Continuation of the previous line (RFC 2849 "SEP SPACE"); of a comment, it stays a comment.
        if (!inComment) {
          if (ls < 0) throw new LdifError(this.file, 'a continuation line (starting with a space) follows nothing', line);
          folded ??= [buf.subarray(ls, le)];
          folded.push(buf.subarray(pos + 1, stop));
          cur!.rec.end = this.base + next;
        }
      } else if (buf[pos] === HASH) {
        flush();
        inComment = true;
        if (cur) cur.rec.end = this.base + next;
      } else {
        flush();
        inComment = false;
        if (!cur) {
          cur = { rec: { dn: '', attrs: new Map(), binary: NO_BINARY, line, start: abs, end: this.base + next }, skip: false };
          resume = pos;
          resumeLine = line - 1;
        }
        cur.rec.end = this.base + next;
        ls = pos;
        le = stop;
        lline = line;
      }
      pos = next;
      if (nl >= buf.length) break;
    }
    if (last) {
      finish();
      return buf.length;
    }
    // Unfinished: resume at the start of the record in progress (or of the incomplete line).
    const from = cur ? resume : pos;
    this.base += from;
    this.lineAtBase = cur ? resumeLine : line;
    return from;
  }

  /** One logical line [s, e) of `b` (e = -1: to the end) of the record `p`. */
  private logical(b: Buffer, s: number, e: number, line: number, p: Pending): void {
    if (p.skip) return;
    const end = e < 0 ? b.length : e;
    const colon = b.indexOf(COLON, s);
    if (colon <= s || colon >= end) throw new LdifError(this.file, `expected "attribute: value", got "${b.toString('utf8', s, Math.min(end, s + 60))}"`, line);
    const keyEnd = checkName(b, s, colon);
    if (keyEnd < 0) throw new LdifError(this.file, `"${b.toString('utf8', s, Math.min(colon, s + 60))}" is not an attribute name`, line);
    // The value: `::` base64, `:<` a URL (refused), else text after the spaces.
    let vs = colon + 1;
    const base64 = b[vs] === COLON;
    if (base64) {
      vs++;
      let ve = end;
      while (vs < ve && b[vs] === SPACE) vs++;
      while (ve > vs && (b[ve - 1] === SPACE || b[ve - 1] === 0x09)) ve--;
      let pad = 0;
      for (let i = vs; i < ve; i++) {
        const c = b[i]!;
        if (c === 0x3d) pad++;
        else if (pad || !isB64(c)) return this.badBase64(b, s, colon, line);
      }
      if (pad > 2 || (ve - vs) % 4 !== 0) return this.badBase64(b, s, colon, line);
      return this.attribute(b, s, keyEnd, p, line, { s: vs, e: ve, base64: true });
    }
    if (b[vs] === 0x3c) throw new LdifError(this.file, `${b.toString('latin1', s, colon)}:< (a value read from a URL) is not supported in an export`, line);
    while (vs < end && b[vs] === SPACE) vs++;
    this.attribute(b, s, keyEnd, p, line, { s: vs, e: end, base64: false });
  }

  private badBase64(b: Buffer, s: number, colon: number, line: number): never {
    throw new LdifError(this.file, `the base64 value of ${b.toString('latin1', s, colon)} is not valid base64`, line);
  }

  private attribute(b: Buffer, s: number, keyEnd: number, p: Pending, line: number, v: { s: number; e: number; base64: boolean }): void {
    const w = this.wanted.get(hashName(b, s, keyEnd));
    const known = w && w.bytes.length === keyEnd - s && equalsLower(b, s, w.bytes) ? w : undefined;
    const rec = p.rec;
    const first = p.dn === undefined && rec.attrs.size === 0 && rec.binary.size === 0 && !p.skip;
    if (known?.special) {
      const key = known.key;
      if (first && p.dn === undefined && (key === 'version' || key === 'ref' || key === 'search') && !p.sawVersion) {
        if (key === 'version') {
          const value = this.text(b, v);
          if (value !== '1') throw new LdifError(this.file, `LDIF version ${value.slice(0, 10)} is not supported (version 1 is)`, line);
          p.sawVersion = true;
          return;
        }
        p.skip = true; // a search reference or result line, not an entry
        return;
      }
      if (key === 'dn') {
        if (p.dn !== undefined) throw new LdifError(this.file, 'a second "dn:" inside one record (records are separated by a blank line)', line);
        p.dn = rec.dn = this.text(b, v);
        return;
      }
    }
    if (p.dn === undefined) throw new LdifError(this.file, `a record must start with "dn:", got "${b.toString('latin1', s, Math.min(keyEnd, s + 40))}:"`, line);
    if (known?.key === 'changetype') {
      const value = this.text(b, v);
      if (value.toLowerCase() !== 'add') throw new LdifError(this.file, `changetype: ${value.slice(0, 20)} is a change, not an export (only "add" records are read)`, line);
      return;
    }
    let key: string;
    if (known?.keep) key = known.key;
    else if (this.all) key = b.toString('latin1', s, keyEnd).toLowerCase();
    else return;
    if (v.base64) {
      const bytes = Buffer.from(b.toString('latin1', v.s, v.e), 'base64');
      if (BINARY.has(key)) {
        if (rec.binary === NO_BINARY) rec.binary = new Map();
        return push(rec.binary, key, bytes);
      }
      return push(rec.attrs, key, bytes.toString('utf8'));
    }
    push(rec.attrs, key, b.toString('utf8', v.s, v.e));
  }

  private text(b: Buffer, v: { s: number; e: number; base64: boolean }): string {
    return v.base64 ? Buffer.from(b.toString('latin1', v.s, v.e), 'base64').toString('utf8') : b.toString('utf8', v.s, v.e);
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

async function* records(file: string, chunks: AsyncIterable<Buffer>, keep?: ReadonlySet<string>): AsyncGenerator<LdifRecord> {
  const reader = new RecordReader(file, keep);
  const out: LdifRecord[] = [];
  for await (const chunk of chunks) {
    reader.push(chunk, out);
    for (const r of out) yield r;
    out.length = 0;
  }
  reader.end(out);
  yield* out;
}

/**
 * Every record of an LDIF file, streamed (memory holds one chunk of records at a time). With
 * `keep` (lower-case attribute names), other attributes are skipped, not decoded: every line is still checked.
 */
export async function* readLdif(path: string, label = path, keep?: ReadonlySet<string>): AsyncGenerator<LdifRecord> {
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    yield* records(label, stream as AsyncIterable<Buffer>, keep);
  } catch (e) {
    throw readFailure(label, e);
  } finally {
    stream.destroy();
  }
}

/** A file system error while reading an export becomes a named LdifError; krbops's own errors pass. */
function readFailure(label: string, e: unknown): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  return code && !(e instanceof KrbopsError) ? new LdifError(label, `cannot be read (${code})`) : e;
}

/** The records of `bytes`, the block at file offset `base` after line `lineBefore`, read in full (errors name the file's line). */
export function parseRecordBytes(label: string, keep: ReadonlySet<string> | undefined, bytes: Buffer, base: number, lineBefore: number): LdifRecord[] {
  const out: LdifRecord[] = [];
  new RecordReader(label, keep).whole(bytes, base, lineBefore, out);
  return out;
}

/** Every record of LDIF text (tests, small exports); `chunkSize` splits it as a stream would (tests of chunk boundaries). */
export async function* parseLdifText(text: string, label = 'ldif', chunkSize = Infinity): AsyncGenerator<LdifRecord> {
  const bytes = Buffer.from(text, 'utf8');
  yield* records(label, (async function* () {
    for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, Math.min(bytes.length, i + chunkSize));
  })());
}

type At = { start: number; end: number; line: number };

/** An open export to read records back from, by the byte ranges an earlier pass reported (several at once on one file handle). */
export async function openRecords(path: string, label: string): Promise<{ read(at: At): Promise<LdifRecord>; close(): Promise<void> }> {
  const fh = await open(path, 'r');
  return {
    async read(at) {
      const buf = Buffer.alloc(at.end - at.start);
      const { bytesRead } = await fh.read(buf, 0, buf.length, at.start);
      const r = bytesRead === buf.length ? parseRecordBytes(label, undefined, buf, at.start, at.line - 1)[0] : undefined;
      if (r) return { ...r, line: at.line, start: at.start, end: at.end };
      throw new LdifError(label, 'the file changed since it was indexed; restart krbops to read it again', at.line);
    },
    close: () => fh.close(),
  };
}

/**
 * Records read back with blocking reads, in the order given: for a few records the index pass has
 * just read (spn dupes' candidates, at most `READ_NOW_BYTES` in all), which the page cache holds, a
 * read costs microseconds, less than its round trip through the thread pool.
 */
export const READ_NOW_BYTES = 1 << 20;
export function readRecordsNow(path: string, label: string, ats: At[]): LdifRecord[] {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    return ats.map((at) => {
      const n = at.end - at.start;
      const buf = Buffer.allocUnsafe(n); // a record's binary values are views of its bytes
      const r = readSync(fd!, buf, 0, n, at.start) === n ? parseRecordBytes(label, undefined, buf, at.start, at.line - 1)[0] : undefined;
      if (r) return { ...r, line: at.line, start: at.start, end: at.end };
      throw new LdifError(label, 'the file changed since it was indexed; restart krbops to read it again', at.line);
    });
  } catch (e) {
    throw readFailure(label, e);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Reads one record back from the byte range an earlier pass reported. */
export async function readRecordAt(path: string, label: string, at: At): Promise<LdifRecord> {
  const records = await openRecords(path, label);
  try {
    return await records.read(at);
  } finally {
    await records.close();
  }
}
