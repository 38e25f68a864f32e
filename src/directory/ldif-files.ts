/**
 * The LDIF scanner (./ldif-scan.ts) over a file: the index pass reads the whole export, one chunk
 * ahead; `spn dupes` past the SPN store's budget reads only the SPN holders' records.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { KrbopsError } from '../errors.js';
import { LdifError } from './ldif-parse.js';
import { bomLength, Scanner, type ScanSink } from './ldif-scan.js';

/**
 * Runs the scanner over an LDIF file read `chunk` bytes at a time (2 MiB: 1 MiB reads cost 15 % more
 * wall time at 200 000 objects, 4 MiB no less) into a buffer of 4 chunks after a pad, one read always
 * in flight: the next chunk is read while the bytes read so far are scanned (a read of the page cache
 * costs about what scanning it does). Past the last chunk the reads go round to the front; the rest
 * of the record cut there (at most the pad, 64 KiB or an eighth of a chunk) moves into the pad, just
 * before the chunk read there, so the scanner never waits for the buffer to be made room in. A record
 * longer than that grows the pad (or, longer than the buffer, the buffer). With `range`, only the
 * bytes [start, end) — whole records (./ldif-pieces.ts) — with line numbers counted from its start.
 * Returns how many lines it read.
 */
export async function scanLdifFile(path: string, label: string, keep: ReadonlySet<string>, sink: ScanSink, chunk = 2 << 20, range?: { start: number; end: number }): Promise<number> {
  let fh;
  let reading: Promise<number> | undefined;
  const scanner = new Scanner(label, keep, sink);
  let pad = Math.max(64 << 10, chunk >> 3);
  let work = scanner.buffer(pad + 4 * chunk); // in the scanner's own memory: scanned where it is read
  try {
    fh = await open(path, 'r');
    const file = fh;
    const from = range?.start ?? 0;
    const to = range?.end ?? Infinity;
    let pos = from; // the file offset of the next read
    const readAt = (at: number): Promise<number> => {
      const len = Math.min(chunk, to - pos);
      const r = len > 0 ? file.read(work, at, len, pos) : Promise.resolve({ bytesRead: 0 });
      return r.then((x) => ((pos += x.bytesRead), x.bytesRead));
    };
    let head = pad; // the first byte not scanned
    let tail = pad; // the end of the bytes read
    let first = true;
    reading = readAt(pad);
    for (;;) {
      const bytesRead = await reading!;
      reading = undefined;
      tail += bytesRead;
      const last = bytesRead === 0;
      let round = false; // the next read goes to the front of the buffer
      if (!last && tail + chunk <= work.length) reading = readAt(tail);
      else if (!last && head >= pad + chunk) {
        reading = readAt(pad);
        round = true;
      }
      if (first) {
        if (from === 0 && tail - pad < 3 && !last && reading) continue;
        first = false;
        head = pad + (from === 0 ? bomLength(label, work.subarray(pad, tail)) : 0);
        scanner.base = scanner.from = from + head - pad;
        scanner.expected = Math.min(to, (await file.stat()).size) - scanner.base;
      }
      head += scanner.push(work.subarray(head, tail), last);
      if (last) return scanner.line;
      const rest = tail - head;
      if (round && rest <= pad) {
        work.copy(work, pad - rest, head, tail);
        head = pad - rest;
        tail = pad;
      } else if (round) {
        // A record longer than the pad across the turn: the read in, then a bigger pad, the rest before the read's bytes.
        const cut = Buffer.from(work.subarray(head, tail)); // (a bigger buffer may move)
        const n = await reading!;
        const next = Buffer.from(work.subarray(pad, pad + n));
        pad = 2 * rest;
        work = scanner.buffer(pad + 4 * chunk);
        cut.copy(work, pad - rest);
        next.copy(work, pad);
        head = pad - rest;
        tail = pad;
        reading = Promise.resolve(n);
      } else if (!reading) {
        // No room after the bytes read, and the front still unscanned (a record longer than 3 chunks): the rest to the front, of a bigger buffer if need be.
        if (pad + rest + chunk > work.length) {
          const cut = Buffer.from(work.subarray(head, tail));
          work = scanner.buffer(pad + 2 * (rest + chunk));
          cut.copy(work, pad);
        } else work.copy(work, pad, head, tail);
        head = pad;
        tail = pad + rest;
        reading = readAt(tail);
      }
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw code && !(e instanceof KrbopsError) ? new LdifError(label, `cannot be read (${code})`) : e;
  } finally {
    await reading?.catch(() => undefined); // the read ahead, when a record stopped the scan
    await fh?.close();
    scanner.release();
  }
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * The first record boundary at or after `guess`: the offset just past a blank line (an empty line,
 * or a lone CR, after an LF), where the scanner starts a fresh block whatever came before; `size`
 * if there is none. A continuation line starts with a space, so it is never blank.
 */
export async function recordBoundary(fh: FileHandle, guess: number, size: number): Promise<number> {
  const buf = Buffer.allocUnsafe(64 << 10);
  for (let at = Math.max(0, guess - 3); at < size; ) {
    const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - at), at);
    for (let i = buf.indexOf(LF, Math.max(0, guess - at - 1)); i !== -1 && i < bytesRead; i = buf.indexOf(LF, i + 1)) {
      if (at + i + 1 >= guess && i >= 1 && (buf[i - 1] === LF || (i >= 2 && buf[i - 1] === CR && buf[i - 2] === LF))) return at + i + 1;
    }
    if (bytesRead <= 3) break;
    at += bytesRead - 3; // the last bytes again: a blank line across two reads is found in the next
  }
  return size;
}

/**
 * Runs the scanner over the given records only (byte ranges of an earlier pass, ascending): read a
 * window of up to `window` bytes at a time, each record scanned alone; yields after each window (the
 * caller takes what the sink gathered). Throws if the file is shorter.
 */
export async function* scanLdifRanges(path: string, label: string, keep: ReadonlySet<string>, ranges: { length: number; at(k: number): { start: number; end: number; line: number } }, sink: ScanSink, window = 1 << 20): AsyncGenerator<void> {
  const fh = await open(path, 'r').catch((e: NodeJS.ErrnoException) => {
    throw new LdifError(label, `cannot be read (${e.code ?? 'error'})`);
  });
  /** Records [k, to) in the bytes [from, from + size); the next window is read while this one is scanned. */
  const windowAt = (k: number) => {
    const from = ranges.at(k).start;
    let to = k + 1;
    while (to < ranges.length && ranges.at(to).end - from <= window) to++;
    return { k, to, from, size: ranges.at(to - 1).end - from };
  };
  const bufs = [Buffer.allocUnsafe(window), Buffer.allocUnsafe(window)];
  const read = (w: { from: number; size: number }, turn: number) => {
    if (w.size > bufs[turn]!.length) bufs[turn] = Buffer.allocUnsafe(w.size);
    return fh.read(bufs[turn]!, 0, w.size, w.from);
  };
  let w = ranges.length ? windowAt(0) : undefined;
  let reading = w && read(w, 0);
  const scanner = new Scanner(label, keep, sink);
  try {
    for (let turn = 0; w; turn ^= 1) {
      const { bytesRead, buffer } = await reading!;
      if (bytesRead < w.size) throw new LdifError(label, 'the file changed since it was indexed; restart krbops to read it again', ranges.at(w.k).line);
      const next = w.to < ranges.length ? windowAt(w.to) : undefined;
      reading = next && read(next, turn ^ 1);
      for (let k = w.k; k < w.to; k++) {
        const r = ranges.at(k);
        scanner.base = r.start;
        scanner.line = r.line - 1;
        scanner.push(buffer.subarray(r.start - w.from, r.end - w.from), true);
      }
      yield;
      w = next;
    }
  } finally {
    await reading?.catch(() => undefined);
    await fh.close();
    scanner.release();
  }
}
