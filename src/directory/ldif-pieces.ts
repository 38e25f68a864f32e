/**
 * The index pass in pieces (issue 15: a 200 000-object export at close to the speed of reading it,
 * on every core). Piece k covers the bytes [B(k·size), B((k+1)·size)) of the file, where B(g) is the
 * first record boundary at or after g (./ldif-files.ts recordBoundary): every thread that runs a
 * piece finds the same two boundaries, so the pieces tile the file with whole records, a folded line
 * or a CRLF pair never split. Each piece is scanned alone (line numbers from its own start) into its
 * own IndexBuilder, whose typed arrays go back to the main thread (cut to size: see `trimmed`);
 * `mergePieces` appends them in file order without copying them again (entry numbers, line numbers
 * and arena offsets are moved on where they are read), so the index is the one a single pass gives
 * (test/directory/ldif-pieces.test.ts).
 *
 * Runs in the main thread and in the workers (./ldif-worker.ts): no thread state here.
 */
import { open } from 'node:fs/promises';
import { IndexBuilder, INDEX_ATTRS } from './ldif-build.js';
import { recordBoundary, scanLdifFile } from './ldif-files.js';
import { HASH_W, type NameListDump, type SlotsDump, type SpnStoreDump } from './ldif-index.js';
import { LdifError } from './ldif-parse.js';

/** What one piece's builder holds, as plain data and typed arrays (structured-clone safe). */
export interface IndexDump {
  /** Lines in the piece (the next piece's line 1 is the line after them). */
  lines: number;
  slots: SlotsDump;
  keys: { pairs: Int32Array<ArrayBuffer>; n: number }[];
  names: NameListDump;
  spns: SpnStoreDump;
  mappings: Map<string, string>;
  netbios: Map<string, string>;
  domains: Map<string, number>;
  configNc?: string;
  protectedUsersDn?: string;
  rodcGroup?: { dn: string; whenCreated?: string };
  created: Map<string, string>;
  counts: { objects: number; accounts: number };
  newest: Uint8Array<ArrayBuffer>;
  highestUsn: Uint8Array<ArrayBuffer>;
}

/** A piece's outcome: its index, or its error (an LdifError as its reason and line within the piece). */
export type PieceResult = { k: number; dump: IndexDump } | { k: number; error: { reason: string; line?: number } | { internal: string } };

const tables = (x: IndexBuilder) => [x.bySam, x.byUpn, x.byHost, x.byDn, x.bySpn];

export function dumpIndex(x: IndexBuilder, lines: number): IndexDump {
  return {
    lines,
    slots: x.slots.dump(),
    keys: tables(x).map((t) => t.dump()),
    names: x.names.dump(),
    spns: x.spns.dump(),
    mappings: x.mappings,
    netbios: x.netbios,
    domains: new Map([...x.domains].map(([d, c]) => [d, c.n])),
    configNc: x.configNc,
    protectedUsersDn: x.protectedUsersDn,
    rodcGroup: x.rodcGroup,
    created: x.created,
    counts: x.counts,
    newest: x.newest.bytes(),
    highestUsn: x.highestUsn.bytes(),
  };
}

/**
 * The dump with its typed arrays cut to what they hold (copies), for a worker to post. Not
 * transferred: detaching an ArrayBuffer makes V8 drop its "no buffer was ever detached" assumption
 * in that thread, and the worker's scanner then ran ≈ 25 % slower on every later piece; copying a
 * piece's arrays costs well under a millisecond.
 */
export function trimmed(d: IndexDump): IndexDump {
  return {
    ...d,
    slots: { a: d.slots.a.slice(0, 3 * d.slots.n), f: d.slots.f.slice(0, d.slots.n), n: d.slots.n },
    keys: d.keys.map((k) => ({ pairs: k.pairs.slice(0, 2 * k.n), n: k.n })),
    names: { ...d.names, bytes: d.names.bytes.slice(0, d.names.used), ends: d.names.ends.slice(0, d.names.n), idx: d.names.idx.slice(0, d.names.n) },
    spns: { ...d.spns, bytes: d.spns.bytes.slice(0, d.spns.used), ends: d.spns.ends.slice(0, d.spns.pieces), hashes: d.spns.hashes.slice(0, HASH_W * d.spns.pieces), firsts: d.spns.firsts.slice(0, d.spns.holders), slots: d.spns.slots.slice(0, d.spns.holders) },
  };
}

/** The pieces' indexes appended in file order: the index one pass over the whole file gives. */
export function mergePieces(dumps: IndexDump[], spnStoreBytes?: number): IndexBuilder {
  const x = new IndexBuilder(spnStoreBytes);
  let lines = 0;
  for (const d of dumps) {
    const entries = x.slots.length;
    x.slots.absorb(d.slots, lines);
    tables(x).forEach((t, i) => t.absorb(d.keys[i]!, entries));
    x.names.absorb(d.names, entries);
    x.spns.absorb(d.spns, entries);
    for (const [k, v] of d.mappings) x.mappings.set(k, v);
    for (const [k, v] of d.netbios) x.netbios.set(k, v);
    for (const [k, n] of d.domains) {
      const c = x.domains.get(k) ?? { n: 0 };
      x.domains.set(k, c);
      c.n += n;
    }
    if (d.configNc !== undefined) x.configNc = d.configNc;
    if (d.protectedUsersDn !== undefined) x.protectedUsersDn = d.protectedUsersDn;
    if (d.rodcGroup !== undefined) x.rodcGroup = d.rodcGroup;
    for (const [k, v] of d.created) x.created.set(k, v);
    x.counts.objects += d.counts.objects;
    x.counts.accounts += d.counts.accounts;
    x.newest.offer(d.newest, 0, d.newest.length, false);
    x.highestUsn.offer(d.highestUsn, 0, d.highestUsn.length, true);
    lines += d.lines;
  }
  return x;
}

/** Where piece k of `size`-byte pieces starts and ends in a file of `fileSize` bytes. */
export async function pieceRange(path: string, k: number, size: number, fileSize: number): Promise<{ start: number; end: number }> {
  const fh = await open(path, 'r');
  try {
    const start = k === 0 ? 0 : await recordBoundary(fh, k * size, fileSize);
    const end = (k + 1) * size >= fileSize ? fileSize : await recordBoundary(fh, (k + 1) * size, fileSize);
    return { start, end: Math.max(start, end) };
  } finally {
    await fh.close();
  }
}

/** Indexes piece k; never throws (an error is part of the result, for the thread that merges). */
export async function indexPiece(path: string, label: string, k: number, size: number, fileSize: number, spnStoreBytes?: number): Promise<PieceResult> {
  try {
    const range = await pieceRange(path, k, size, fileSize);
    const x = new IndexBuilder(spnStoreBytes);
    const lines = range.end > range.start || k === 0 ? await scanLdifFile(path, label, INDEX_ATTRS, x, undefined, range) : 0;
    return { k, dump: dumpIndex(x, lines) };
  } catch (e) {
    if (e instanceof LdifError) return { k, error: { reason: e.reason, ...(e.line ? { line: e.line } : {}) } };
    const code = (e as NodeJS.ErrnoException).code;
    if (code) return { k, error: { reason: `cannot be read (${code})` } };
    return { k, error: { internal: e instanceof Error ? e.message : String(e) } };
  }
}
