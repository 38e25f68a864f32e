/**
 * Memory of the duplicate index alone, without a DC: the same account shapes as bench/forest-data.ts
 * (three SPNs each, 0.5 % duplicated) fed page by page into the old full index (SpnIndex, one
 * AccountRef and one slot per SPN) and into the compact scan (SpnScan). Run each in its own process:
 *
 *   node --expose-gc --import tsx bench/spn-memory.ts <index|scan> <accounts>
 *
 * Prints the retained heap (plus typed-array buffers) after a full GC and the peak RSS. Supplements the forest benchmark for
 * sizes whose DC could not be seeded in the time available.
 */
import { SpnIndex } from '../src/spn/duplicates.js';
import { SpnScan } from '../src/spn/spn-scan.js';
import { forestDuplicatePairs, forestDn, forestAccount, seededSpns } from './forest-data.js';

const [mode = 'scan', nArg = '200000'] = process.argv.slice(2);
const n = Number(nArg);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
gc();
const used = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
const before = used();
const dupOf = new Map(forestDuplicatePairs(n).map((p) => [p.a, p.spn]));
const mappings = new Map([['http', 'host']]);
const index = new SpnIndex(['kadmin/changepw']);
const scan = new SpnScan(mappings);
let peak = 0;
for (let i = 0; i < n; i++) {
  // What a page gives: fresh strings per entry, as ldapts decodes them.
  const dn = `${forestDn(i)}`.slice(0);
  const spns = seededSpns(i, dupOf).map((s) => `${s} `.trim());
  if (mode === 'index') index.add({ dn, sAMAccountName: forestAccount(i), whenChanged: '2026-12-01T15:00:00.000Z', disabled: false }, spns);
  else scan.add(dn, spns);
  if (i % 50_000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
}
const found = mode === 'index' ? index.duplicates().length : scan.candidates().length;
gc();
const retained = used() - before;
peak = Math.max(peak, process.memoryUsage().rss);
console.log(JSON.stringify({ mode, accounts: n, retainedMb: +(retained / 2 ** 20).toFixed(1), peakRssMb: +(peak / 2 ** 20).toFixed(1), found }));
