/**
 * A streaming LDIF reader for directory exports: `ldifde -f out.ldf` (`changetype: add`, CRLF) and
 * `ldapsearch -LLL` (lines folded at 76 columns, base64 `::` values, one line per value). RFC 2849.
 *
 * Records come out one at a time with the byte range they occupy in the file, so a caller can keep
 * an index of offsets instead of the entries and read one entry back later (`readRecordAt`).
 * A line that is not LDIF stops the read with an LdifError naming the file and the line number.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { ErrorCode, KrbopsError } from '../errors.js';

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
  constructor(file: string, message: string, line?: number) {
    super(ErrorCode.InvalidInput, `${file}${line ? ` line ${line}` : ''}: ${message}`, { details: { file, ...(line ? { line } : {}) } });
  }
}

/** Attributes kept as bytes (security descriptors, SIDs, GUIDs): never decoded as text. */
const BINARY = new Set(['objectsid', 'objectguid', 'msds-allowedtoactonbehalfofotheridentity', 'ntsecuritydescriptor', 'invocationid']);

const ATTR_RE = /^([A-Za-z][A-Za-z0-9-]*|[0-9]+(?:\.[0-9]+)*)((?:;[A-Za-z0-9-=]+)*)$/;
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

interface Block {
  lines: { text: string; line: number }[];
  line: number;
  start: number;
  end: number;
}

/**
 * Splits bytes into physical lines (LF or CRLF, with their numbers and byte offsets), unfolds
 * continuation lines, drops comments and groups lines into blank-line separated blocks.
 * Synchronous per chunk: a 200 000-object export is millions of lines, and one await per line
 * would cost more than the parsing.
 */
class BlockSplitter {
  private carry: Buffer = Buffer.alloc(0);
  private offset = 0;
  private line = 0;
  private first = true;
  private cur: Block | undefined;
  private inComment = false;

  constructor(private readonly file: string) {}

  push(raw: Buffer, out: Block[]): void {
    let chunk = this.carry.length ? Buffer.concat([this.carry, raw]) : raw;
    if (this.first) {
      this.first = false;
      if (chunk[0] === 0xff && chunk[1] === 0xfe) throw new LdifError(this.file, 'is UTF-16 (ldifde -u); export without -u, or convert it to UTF-8 first', 1);
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
        chunk = chunk.subarray(3);
        this.offset = 3;
      }
    }
    let from = 0;
    for (let nl = chunk.indexOf(0x0a, from); nl !== -1; nl = chunk.indexOf(0x0a, from)) {
      const stop = nl > from && chunk[nl - 1] === 0x0d ? nl - 1 : nl;
      this.take(chunk.toString('utf8', from, stop), this.offset + from, this.offset + nl + 1, out);
      from = nl + 1;
    }
    this.offset += from;
    this.carry = Buffer.from(chunk.subarray(from));
  }

  end(out: Block[]): void {
    const c = this.carry;
    if (c.length) {
      const stop = c[c.length - 1] === 0x0d ? c.length - 1 : c.length;
      this.take(c.toString('utf8', 0, stop), this.offset, this.offset + c.length, out);
      this.carry = Buffer.alloc(0);
    }
    if (this.cur) out.push(this.cur);
    this.cur = undefined;
  }

  private take(text: string, start: number, end: number, out: Block[]): void {
    const line = ++this.line;
    if (text === '') {
      if (this.cur) out.push(this.cur);
      this.cur = undefined;
      this.inComment = false;
      return;
    }
    const c0 = text.charCodeAt(0);
    if (c0 === 0x20) {
      // Continuation of the previous line (RFC 2849 "SEP SPACE"); of a comment, it stays a comment.
      if (this.inComment) return;
      const last = this.cur?.lines.at(-1);
      if (!last || !this.cur) throw new LdifError(this.file, 'a continuation line (starting with a space) follows nothing', line);
      last.text += text.slice(1);
      this.cur.end = end;
      return;
    }
    if (c0 === 0x23) {
      this.inComment = true;
      if (this.cur) this.cur.end = end;
      return;
    }
    this.inComment = false;
    this.cur ??= { lines: [], line, start, end };
    this.cur.lines.push({ text, line });
    this.cur.end = end;
  }
}

function splitLine(file: string, text: string, line: number): { name: string; value: string; base64: boolean } {
  const colon = text.indexOf(':');
  if (colon <= 0) throw new LdifError(file, `expected "attribute: value", got "${text.slice(0, 60)}"`, line);
  const name = text.slice(0, colon);
  if (!ATTR_RE.test(name)) throw new LdifError(file, `"${name.slice(0, 60)}" is not an attribute name`, line);
  const rest = text.slice(colon + 1);
  if (rest.startsWith(':')) {
    const b64 = rest.slice(1).trim();
    if (!BASE64_RE.test(b64) || b64.length % 4 !== 0) throw new LdifError(file, `the base64 value of ${name} is not valid base64`, line);
    return { name, value: b64, base64: true };
  }
  if (rest.startsWith('<')) throw new LdifError(file, `${name}:< (a value read from a URL) is not supported in an export`, line);
  return { name, value: rest.replace(/^ +/, ''), base64: false };
}

/** Parses one block into a record; undefined for blocks that are not entries (`version: 1`, search references). */
export function parseBlock(file: string, block: Block, keep?: ReadonlySet<string>): LdifRecord | undefined {
  let dn: string | undefined;
  const attrs = new Map<string, string[]>();
  const binary = new Map<string, Buffer[]>();
  for (const [i, l] of block.lines.entries()) {
    const { name, value, base64 } = splitLine(file, l.text, l.line);
    const lower = name.toLowerCase();
    if (i === 0) {
      if (lower === 'version') {
        if (value !== '1') throw new LdifError(file, `LDIF version ${value.slice(0, 10)} is not supported (version 1 is)`, l.line);
        if (block.lines.length === 1) return undefined;
        continue;
      }
      if (lower === 'ref' || lower === 'search') return undefined; // a search reference or result line, not an entry
    }
    if (dn === undefined) {
      if (lower !== 'dn') throw new LdifError(file, `a record must start with "dn:", got "${name.slice(0, 40)}:"`, l.line);
      dn = base64 ? Buffer.from(value, 'base64').toString('utf8') : value;
      continue;
    }
    if (lower === 'dn') throw new LdifError(file, 'a second "dn:" inside one record (records are separated by a blank line)', l.line);
    if (lower === 'changetype') {
      if (value.toLowerCase() !== 'add') throw new LdifError(file, `changetype: ${value.slice(0, 20)} is a change, not an export (only "add" records are read)`, l.line);
      continue;
    }
    const key = lower.split(';', 1)[0]!;
    if (keep && !keep.has(key)) continue;
    if (base64) {
      const bytes = Buffer.from(value, 'base64');
      if (BINARY.has(key)) {
        const list = binary.get(key);
        if (list) list.push(bytes);
        else binary.set(key, [bytes]);
        continue;
      }
      pushValue(attrs, key, bytes.toString('utf8'));
    } else pushValue(attrs, key, value);
  }
  if (dn === undefined) return undefined;
  return { dn, attrs, binary, line: block.line, start: block.start, end: block.end };
}

function pushValue(attrs: Map<string, string[]>, key: string, value: string): void {
  const list = attrs.get(key);
  if (list) list.push(value);
  else attrs.set(key, [value]);
}

async function* records(file: string, chunks: AsyncIterable<Buffer>, keep?: ReadonlySet<string>): AsyncGenerator<LdifRecord> {
  const splitter = new BlockSplitter(file);
  const blocks: Block[] = [];
  const parsed = function* (): Generator<LdifRecord> {
    for (const b of blocks) {
      const r = parseBlock(file, b, keep);
      if (r) yield r;
    }
    blocks.length = 0;
  };
  for await (const chunk of chunks) {
    splitter.push(chunk, blocks);
    yield* parsed();
  }
  splitter.end(blocks);
  yield* parsed();
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
    const code = (e as NodeJS.ErrnoException).code;
    if (code && !(e instanceof KrbopsError)) throw new LdifError(label, `cannot be read (${code})`);
    throw e;
  } finally {
    stream.destroy();
  }
}

/** Every record of LDIF text (tests, small exports). */
export async function* parseLdifText(text: string, label = 'ldif'): AsyncGenerator<LdifRecord> {
  yield* records(label, (async function* () {
    yield Buffer.from(text, 'utf8');
  })());
}

/** Reads one record back from the byte range an earlier pass reported. */
export async function readRecordAt(path: string, label: string, at: { start: number; end: number; line: number }): Promise<LdifRecord> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(at.end - at.start);
    await fh.read(buf, 0, buf.length, at.start);
    const splitter = new BlockSplitter(label);
    const blocks: Block[] = [];
    splitter.push(buf, blocks);
    splitter.end(blocks);
    for (const block of blocks) {
      const r = parseBlock(label, { ...block, line: at.line, start: at.start, end: at.end });
      if (r) return r;
    }
  } finally {
    await fh.close();
  }
  throw new LdifError(label, 'the file changed since it was indexed; restart krbops to read it again', at.line);
}
