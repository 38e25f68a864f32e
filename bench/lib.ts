/**
 * Shared bench helpers: alternating rounds (baseline, candidate, baseline, …) so both sides see the
 * same machine load, medians and percentiles, load average, and a cache folder outside git.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

/** Bench data (lab snapshots) lives here, never in the repository. Override with KRBOPS_BENCH_CACHE. */
export const CACHE_DIR = process.env.KRBOPS_BENCH_CACHE ?? '/var/tmp/krbops-bench';
mkdirSync(CACHE_DIR, { recursive: true });

export const median = (xs: number[]) => percentile(xs, 50);
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');

export interface Timed {
  ms: number;
  /** Peak RSS of the process in MB (from /usr/bin/time), when measured. */
  rssMb?: number;
  /** CPU time of the process (user + system, from /usr/bin/time), in ms. */
  cpuMs?: number;
  stdout: string;
}

/** Run a command under /usr/bin/time; wall time measured here, peak RSS reported by time(1). */
export function timed(cmd: string, args: string[], opts: SpawnSyncOptions = {}): Timed {
  const t = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '@@rss %M cpu %U %S', cmd, ...args], { maxBuffer: 1 << 30, ...opts, encoding: 'utf8' });
  const ms = performance.now() - t;
  const stderr = String(r.stderr ?? '');
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 3).join(' ')} exited ${r.status}: ${stderr.slice(-800)}`);
  const m = /@@rss (\d+) cpu ([\d.]+) ([\d.]+)/.exec(stderr);
  return { ms, rssMb: m ? Number(m[1]) / 1024 : undefined, cpuMs: m ? (Number(m[2]) + Number(m[3])) * 1000 : undefined, stdout: String(r.stdout ?? '') };
}

/** `rounds` alternating runs of a then b (after one warm-up of each). */
export async function alternate<A, B>(rounds: number, a: () => A | Promise<A>, b: () => B | Promise<B>): Promise<{ a: number[]; b: number[]; lastA: A; lastB: B }> {
  let lastA = await a();
  let lastB = await b();
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < rounds; i++) {
    let t = performance.now();
    lastA = await a();
    ta.push(performance.now() - t);
    t = performance.now();
    lastB = await b();
    tb.push(performance.now() - t);
  }
  return { a: ta, b: tb, lastA, lastB };
}

export const fmt = (ms: number) => (ms >= 100 ? Math.round(ms).toString() : ms.toFixed(1));
export const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

export function machine(): string {
  const cpu = os.cpus();
  return `${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/**
 * Where a profiled process spent its time (`node --cpu-prof --cpu-prof-dir=dir`): idle (waiting for
 * I/O — here the DC), garbage collection, and self time by package, in ms.
 */
export function cpuProfileSummary(dir: string): { totalMs: number; parts: [string, number][] } {
  const file = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort().at(-1);
  if (!file) throw new Error(`no .cpuprofile in ${dir}`);
  const p = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: { id: number; callFrame: { functionName: string; url: string } }[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parts = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const dt = (p.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    const { url, functionName } = byId.get(id)!.callFrame;
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    const part = m ? m[1] : url.startsWith('node:') ? 'node internals' : url ? 'krbops' : functionName === '(idle)' ? 'idle (waiting for the DC)' : functionName === '(garbage collector)' ? 'garbage collection' : 'other (native)';
    parts.set(part, (parts.get(part) ?? 0) + dt);
  });
  return { totalMs: total, parts: [...parts].sort((a, b) => b[1] - a[1]) };
}
