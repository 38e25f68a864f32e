/**
 * The index pass of a large export on several threads (issue 15, target 6): the file is cut into
 * pieces of whole records (./ldif-pieces.ts); the main thread and up to `threads - 1` worker threads
 * (./ldif-worker.ts) take the next piece as they finish the last, so a worker that starts late or a
 * busy core simply takes fewer; the main thread appends the pieces' indexes in file order.
 *
 * Errors are the single pass's: the first piece (in file order) whose records fail names its line in
 * the whole file (the lines of the pieces before it added). A worker that dies or cannot start is a
 * coded error (IndexWorkerError), never a hang; the other workers are stopped either way.
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ErrorCode, KrbopsError } from '../errors.js';
import { IndexBuilder, INDEX_ATTRS } from './ldif-build.js';
import { scanLdifFile } from './ldif-files.js';
import { LdifError } from './ldif-parse.js';
import { indexPiece, mergePieces, type IndexDump, type PieceResult } from './ldif-pieces.js';

/** Below this, one thread: starting a worker (30–60 ms) costs more than it saves. */
export const PARALLEL_MIN_BYTES = 8 << 20;
/**
 * Threads when KRBOPS_LDIF_THREADS is not set: one. Each worker pays V8's warm-up of the scanner
 * again (≈ 150–200 ms of CPU on a 181 MiB export, Node 20), and on the 2-core machine of BENCHMARKS.md
 * two threads were 1.4–1.8× slower than one at every load measured; more cores are not measured yet.
 */
export const DEFAULT_INDEX_THREADS = 1;

/** A worker thread of the index pass stopped or could not start. */
export class IndexWorkerError extends KrbopsError {
  constructor(file: string, message: string, cause?: unknown) {
    super(ErrorCode.Internal, `${file}: the index worker ${message}; set KRBOPS_LDIF_THREADS=1 to index on one thread`, { cause, details: { file } });
  }
}

export interface ParallelIndexOptions {
  /** Threads in all, the main one included (1: no worker). */
  threads?: number;
  /** Bytes per piece (default: about eight pieces per thread, 4–32 MiB each). */
  pieceBytes?: number;
  /** Files smaller than this are indexed on one thread. */
  minBytes?: number;
  spnStoreBytes?: number;
  /** Tests: another worker program. */
  worker?: URL;
}

/**
 * The worker's program: next to this module when compiled (dist/src/directory), one folder up from
 * a bundle chunk (dist/bin/chunks → dist/bin/ldif-worker.js), or the TypeScript source under tsx or
 * vitest (loaded through tsx's loader).
 */
function workerProgram(label: string, override?: URL): { program: string | URL; eval: boolean } {
  const here = import.meta.url;
  if (!override && here.endsWith('.ts')) {
    // tsx's loader API as an ES module (the path `require` resolves is its CommonJS twin).
    const cjs = createRequire(here).resolve('tsx/esm/api');
    const mjs = cjs.replace(/\.cjs$/, '.mjs');
    const tsx = existsSync(mjs) ? pathToFileURL(mjs).href : 'tsx/esm/api';
    const src = new URL('./ldif-worker.ts', here).href;
    return { program: `import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(src)}); })`, eval: true };
  }
  const found = override ?? [new URL('./ldif-worker.js', here), new URL('../ldif-worker.js', here)].find((u) => existsSync(u));
  if (!found) throw new IndexWorkerError(label, 'program (ldif-worker.js) is missing next to the installed krbops');
  return { program: found, eval: false };
}

/** Indexes the export: on one thread when small or `threads` is 1, else in pieces on several. */
export async function indexLdif(path: string, label: string, options: ParallelIndexOptions = {}): Promise<IndexBuilder> {
  const threads = Math.max(1, Math.floor(options.threads ?? DEFAULT_INDEX_THREADS));
  const fileSize = (await stat(path).catch(() => undefined))?.size ?? 0;
  if (threads === 1 || fileSize < (options.minBytes ?? PARALLEL_MIN_BYTES)) {
    const x = new IndexBuilder(options.spnStoreBytes);
    await scanLdifFile(path, label, INDEX_ATTRS, x);
    return x;
  }
  const size = options.pieceBytes ?? Math.min(32 << 20, Math.max(4 << 20, Math.ceil(fileSize / (8 * threads))));
  const count = Math.max(1, Math.ceil(fileSize / size));
  const results: PieceResult[] = [];
  let next = 0;
  let failed = Infinity; // the first piece that failed: no piece after it is started
  const take = () => (next < count && next < failed ? next++ : -1);
  const settle = (r: PieceResult) => {
    results[r.k] = r;
    if ('error' in r) failed = Math.min(failed, r.k);
  };

  const workers: Worker[] = [];
  let crashed: ((e: Error) => void) | undefined;
  const crash = new Promise<never>((_, reject) => (crashed = reject));
  crash.catch(() => undefined);
  const runWorker = (w: Worker) =>
    new Promise<void>((resolve) => {
      let busy = -1;
      const give = () => {
        busy = take();
        if (busy < 0) resolve();
        else w.postMessage(busy);
      };
      w.on('message', (r: PieceResult) => {
        settle(r);
        give();
      });
      w.on('error', (e) => crashed!(new IndexWorkerError(label, `failed (${e.message})`, e)));
      w.on('exit', (code) => busy >= 0 && !results[busy] && crashed!(new IndexWorkerError(label, `stopped (exit code ${code}) while indexing`)));
      give();
    });
  try {
    const { program, eval: isEval } = workerProgram(label, options.worker);
    const data = { path, label, size, fileSize, spnStoreBytes: options.spnStoreBytes };
    for (let i = 1; i < Math.min(threads, count); i++) {
      try {
        workers.push(new Worker(program, { eval: isEval, workerData: data }));
      } catch (e) {
        throw new IndexWorkerError(label, `could not start (${(e as Error).message})`, e);
      }
    }
    const main = async () => {
      for (let k = take(); k >= 0; k = take()) settle(await indexPiece(path, label, k, size, fileSize, options.spnStoreBytes));
    };
    await Promise.race([Promise.all([main(), ...workers.map(runWorker)]), crash]);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  const dumps: IndexDump[] = [];
  let lines = 0;
  for (const r of results) {
    if ('error' in r) {
      const e = r.error;
      if ('internal' in e) throw new IndexWorkerError(label, `failed (${e.internal})`);
      throw new LdifError(label, e.reason, e.line === undefined ? undefined : e.line + lines);
    }
    dumps.push(r.dump);
    lines += r.dump.lines;
  }
  return mergePieces(dumps, options.spnStoreBytes);
}
