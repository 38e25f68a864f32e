/**
 * A worker thread of the index pass (./ldif-parallel.ts): indexes the pieces the main thread names,
 * one at a time, and sends each piece's index back (its typed arrays cut to size, not transferred:
 * see `trimmed` in ./ldif-pieces.ts).
 * Its own entry file: dist/bin/ldif-worker.js in the CLI bundle, dist/src/directory/ldif-worker.js
 * compiled, this file under tsx or vitest.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { indexPiece, trimmed } from './ldif-pieces.js';

const { path, label, size, fileSize, spnStoreBytes } = workerData as { path: string; label: string; size: number; fileSize: number; spnStoreBytes?: number };
const port = parentPort!;

port.on('message', (k: number) => {
  void indexPiece(path, label, k, size, fileSize, spnStoreBytes).then((r) => port.postMessage('dump' in r ? { k, dump: trimmed(r.dump) } : r));
});
