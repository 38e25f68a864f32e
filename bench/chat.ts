/**
 * Chat under load (issue 15, target 5): `krbops serve` in this process — the real server, the real
 * Bolt app over HTTP, the Samba lab as directory, a SQLite store. Slack's side runs in a separate
 * process (bench/chat-load.ts, forked): the local fake Slack Web API of the tests and the load
 * generator, which signs slash commands as Slack does and sends them `concurrency` at a time; the HTTP
 * answer is Slack's acknowledgement (Slack wants it within 3 s), the card posted to the response_url
 * is the delivered answer. (Until 2026-12-01 21:00 UTC both ran in the bot's process, so the ack
 * times included the load generator's and the fake API's own work.)
 *
 *   node --expose-gc --import tsx bench/chat.ts [commands=200] [concurrency=20] [leak=2000] [no-why-401]
 *
 * 1. `commands` commands at `concurrency`: every one acknowledged (HTTP 200), ack p50/p95/p99, every
 *    answer delivered (a final card on each response_url), answer p50/p95.
 * 2. The leak run: after a warm-up, `leak` more commands; the bot's RSS and heap after a forced GC
 *    before and after (the fake's records live in the other process).
 * The command mix: spn query, spn list, krb explain, and one krb why-401 in ten (DNS, HTTP probe,
 * KDC and SPNEGO through the bot's Kerberos helper process), all against the lab.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/log.js';
import { serve } from '../src/serve.js';
import { SLACK_EVENTS_PATH } from '../src/surfaces/slack/index.js';
import { startLab } from '../test/lab/lab.js';
import { BOT, SECRET, type BurstRequest, type BurstResult } from './chat-load.js';
import { fmt, load, machine, percentile } from './lib.js';

const [n = 200, concurrency = 20, leakN = 2000] = process.argv.slice(2).map(Number);
const noWhy401 = process.argv[5] === 'no-why-401';
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc --import tsx bench/chat.ts');

const lab = await startLab();
const loader: ChildProcess = fork(fileURLToPath(new URL('./chat-load.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const nextMessage = <T>(): Promise<T> =>
  new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the load generator exited (${code})`));
    loader.once('exit', onExit);
    loader.once('message', (m) => {
      loader.off('exit', onExit);
      resolve(m as T);
    });
  });
const { apiUrl } = await nextMessage<{ apiUrl: string }>();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'krbops-bench-chat-'));
const yearly = '0 0 1 1 *'; // no watcher run in the middle of a measurement
const config = loadConfig({
  ...lab.env(),
  LDAP_GC_URL: '',
  SLACK_SIGNING_SECRET: SECRET,
  SLACK_BOT_TOKEN: BOT,
  SLACK_API_URL: apiUrl,
  KRBOPS_DB: path.join(tmp, 'krbops.db'),
  KRBOPS_ALLOW_CHANNELS: '*',
  KRBOPS_SCHEDULE_DUPES: yearly,
  KRBOPS_SCHEDULE_ETYPES: yearly,
  KRBOPS_SCHEDULE_ADFS: yearly,
  PORT: '0',
  HOST: '127.0.0.1',
});
const server = await serve(config, { handleSignals: false, log: silentLogger });
const eventsUrl = `${server.url}${SLACK_EVENTS_PATH}`;

/** `count` commands through the load generator; resolves when every answer arrived (or 120 s passed). */
async function burst(count: number, offset = 0): Promise<BurstResult> {
  const req: BurstRequest = { cmd: 'burst', eventsUrl, count, offset, concurrency, noWhy401 };
  const answer = nextMessage<BurstResult>();
  loader.send(req);
  return answer;
}

const mb = (b: number) => (b / 1048576).toFixed(1);
function memory(): { rss: number; heap: number } {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
}

try {
  await burst(20); // warm-up: modules, the directory pool, the store, the Kerberos helper
  const load0 = load();
  // How long the bot's event loop was held up during the burst: what delays an acknowledgement in this process.
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const t0 = performance.now();
  const r = await burst(n);
  const wall = performance.now() - t0;
  loopDelay.disable();
  const load1 = load();
  console.log(`Machine: ${machine()}; load ${load0} → ${load1}\n`);
  console.log(`### ${n} signed slash commands at ${concurrency} concurrent${noWhy401 ? ' (no why-401 in the mix)' : ''} (real Bolt on krbops serve, fake Slack Web API and load generator in another process), ${fmt(wall)} ms wall\n`);
  console.log('| measurement | value |\n| --- | ---: |');
  console.log(`| acknowledged (HTTP 200) | ${r.statuses.filter((s) => s === 200).length} / ${n} |`);
  console.log(`| ack p50 / p95 / p99 / max ms | ${fmt(percentile(r.acks, 50))} / ${fmt(percentile(r.acks, 95))} / ${fmt(percentile(r.acks, 99))} / ${fmt(Math.max(...r.acks))} |`);
  console.log(`| answers delivered to the response_url | ${r.delivered} / ${n} |`);
  console.log(`| answer p50 / p95 ms (sent → final card) | ${fmt(percentile(r.answers, 50))} / ${fmt(percentile(r.answers, 95))} |`);
  console.log(`| directory pool: max connections open (size) | ${await lastPool()} |`);
  const ms = (ns: number) => fmt(ns / 1e6);
  console.log(`| bot's event-loop delay p50 / p99 / max ms (during the burst) | ${ms(loopDelay.percentile(50))} / ${ms(loopDelay.percentile(99))} / ${ms(loopDelay.max)} |`);

  // Leak run: warm-up, then `leakN` commands, the bot's RSS after a forced GC before and after.
  await burst(200, 1);
  const before = memory();
  const l0 = load();
  const samples: string[] = [];
  for (let done = 0; done < leakN; ) {
    const step = Math.min(500, leakN - done);
    const s = await burst(step, done);
    if (s.delivered !== step) throw new Error(`leak run: ${step - s.delivered} answers not delivered`);
    done += step;
    const m = memory();
    samples.push(`${done}: ${mb(m.rss)} MiB RSS / ${mb(m.heap)} MiB heap`);
  }
  const after = memory();
  console.log(`\n### Leak run: ${leakN} commands after a 200-command warm-up (forced GC before each sample); load ${l0} → ${load()}\n`);
  console.log('| measurement | before | after | growth |\n| --- | ---: | ---: | ---: |');
  console.log(`| RSS MiB | ${mb(before.rss)} | ${mb(after.rss)} | ${mb(after.rss - before.rss)} |`);
  console.log(`| heap used MiB | ${mb(before.heap)} | ${mb(after.heap)} | ${mb(after.heap - before.heap)} |`);
  console.log(`\nsamples: ${samples.join('; ')}`);
} finally {
  await server.close();
  loader.send({ cmd: 'close' });
  await lab.stop();
  rmSync(tmp, { recursive: true, force: true });
}

async function lastPool(): Promise<string> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const get = (state: string) => new RegExp(`krbops_ldap_pool_connections\\{state="${state}"\\} (\\d+)`).exec(text)?.[1] ?? '?';
  return `${get('max_open')} (${get('size')})`;
}
