/**
 * Chat under load (issue 15, target 5): `krbops serve` in this process — the real server, the real
 * Bolt app over HTTP, the Samba lab as directory, a SQLite store — with the local fake Slack Web API
 * of the tests (test/helpers/fake-slack-api.ts) as Slack's cloud. Slash commands are signed as Slack
 * signs them and sent `concurrency` at a time; the HTTP answer is Slack's acknowledgement (Slack
 * wants it within 3 s), the card posted to the response_url is the delivered answer.
 *
 *   node --expose-gc --import tsx bench/chat.ts [commands=200] [concurrency=20] [leak=2000] [no-why-401]
 *
 * 1. `commands` commands at `concurrency`: every one acknowledged (HTTP 200), ack p50/p95/p99, every
 *    answer delivered (a final card on each response_url), answer p50/p95.
 * 2. The leak run: after a warm-up, `leak` more commands; RSS and heap after a forced GC before and
 *    after (the fake's records are counted and dropped as they come, so only krbops holds memory).
 * The command mix: spn query, spn list, krb explain, and one krb why-401 in ten (DNS, HTTP probe,
 * KDC through kinit/kvno), all against the lab.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/log.js';
import { serve } from '../src/serve.js';
import { SLACK_EVENTS_PATH } from '../src/surfaces/slack/index.js';
import { postSigned, slashCommandForm, startFakeSlackApi } from '../test/helpers/fake-slack-api.js';
import { startLab } from '../test/lab/lab.js';
import { fmt, load, machine, percentile } from './lib.js';

const [n = 200, concurrency = 20, leakN = 2000] = process.argv.slice(2).map(Number);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc --import tsx bench/chat.ts');
const SECRET = 'bench-signing-secret';
const BOT = 'xoxb-bench';
const MIX = ['spn query HTTP/crm.contoso.test', 'spn list crmweb', 'krb explain KRB_AP_ERR_MODIFIED', 'spn query HTTP/ndcrmsrv1.contoso.test', 'spn list alice', 'krb explain 401.2', 'spn query MSSQLSvc/ndsqlsrv1.contoso.test:1433', 'spn list crmweb2', 'krb explain KDC_ERR_S_PRINCIPAL_UNKNOWN', 'krb why-401 http://crm.contoso.test/'];
// `no-why-401`: the same mix without the why-401s (no kinit/kvno/SPNEGO child processes), to tell their cost from the rest.
if (process.argv[5] === 'no-why-401') MIX.splice(MIX.length - 1, 1, 'spn query HTTP/crm');

const lab = await startLab();
const fake = await startFakeSlackApi({ botTokens: [BOT], users: { UONCALL: { email: 'oncall@contoso.test', name: 'oncall' } } });
const tmp = mkdtempSync(path.join(os.tmpdir(), 'krbops-bench-chat-'));
const yearly = '0 0 1 1 *'; // no watcher run in the middle of a measurement
const config = loadConfig({
  ...lab.env(),
  LDAP_GC_URL: '',
  SLACK_SIGNING_SECRET: SECRET,
  SLACK_BOT_TOKEN: BOT,
  SLACK_API_URL: fake.apiUrl,
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

const WORKING = /Working on it…/;
/** Responses that are answers (not the "Working on it…" placeholder), by response id; the fake's records are dropped as they are counted. */
const answered = new Map<string, number>();
function collect(): void {
  for (const r of fake.responses.splice(0)) if (!WORKING.test(JSON.stringify(r.body).slice(0, 400))) answered.set(r.id, r.at);
  fake.calls.splice(0);
}

interface Sent {
  id: string;
  status: number;
  ackMs: number;
  sentAt: number;
}

async function burst(count: number, offset = 0): Promise<Sent[]> {
  const out: Sent[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < count; i = next++) {
        const r = fake.newResponseUrl();
        const sentAt = Date.now();
        const res = await postSigned(eventsUrl, SECRET, slashCommandForm('/krb', MIX[(i + offset) % MIX.length], r.url));
        out.push({ id: r.id, status: res.status, ackMs: res.ms, sentAt });
        if (out.length % 100 === 0) collect();
      }
    }),
  );
  return out;
}

async function delivered(sent: Sent[], timeoutMs = 120_000): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    collect();
    const done = sent.filter((s) => answered.has(s.id)).length;
    if (done === sent.length || Date.now() - t0 > timeoutMs) return done;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const mb = (b: number) => (b / 1048576).toFixed(1);
function memory(): { rss: number; heap: number } {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
}

try {
  await burst(20); // warm-up: modules, the directory pool, the store
  await delivered([]);
  const load0 = load();
  const t0 = performance.now();
  const sent = await burst(n);
  const got = await delivered(sent);
  const wall = performance.now() - t0;
  const load1 = load();
  const acks = sent.map((s) => s.ackMs);
  const answers = sent.filter((s) => answered.has(s.id)).map((s) => answered.get(s.id)! - s.sentAt);
  console.log(`Machine: ${machine()}; load ${load0} → ${load1}\n`);
  console.log(`### ${n} signed slash commands at ${concurrency} concurrent${process.argv[5] === 'no-why-401' ? ' (no why-401 in the mix)' : ''} (real Bolt on krbops serve, fake Slack Web API), ${fmt(wall)} ms wall\n`);
  console.log('| measurement | value |\n| --- | ---: |');
  console.log(`| acknowledged (HTTP 200) | ${sent.filter((s) => s.status === 200).length} / ${n} |`);
  console.log(`| ack p50 / p95 / p99 / max ms | ${fmt(percentile(acks, 50))} / ${fmt(percentile(acks, 95))} / ${fmt(percentile(acks, 99))} / ${fmt(Math.max(...acks))} |`);
  console.log(`| answers delivered to the response_url | ${got} / ${n} |`);
  console.log(`| answer p50 / p95 ms (sent → final card) | ${fmt(percentile(answers, 50))} / ${fmt(percentile(answers, 95))} |`);
  console.log(`| directory pool: max connections open (size) | ${await lastPool()} |`);

  // Leak run: warm-up, then `leakN` commands, RSS after a forced GC before and after.
  await delivered(await burst(200, 1));
  answered.clear();
  const before = memory();
  const l0 = load();
  const samples: string[] = [];
  for (let done = 0; done < leakN; ) {
    const step = Math.min(500, leakN - done);
    const s = await burst(step, done);
    const ok = await delivered(s);
    if (ok !== step) throw new Error(`leak run: ${step - ok} answers not delivered`);
    done += step;
    answered.clear();
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
  await fake.close();
  await lab.stop();
  rmSync(tmp, { recursive: true, force: true });
}

async function lastPool(): Promise<string> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const get = (state: string) => new RegExp(`krbops_ldap_pool_connections\\{state="${state}"\\} (\\d+)`).exec(text)?.[1] ?? '?';
  return `${get('max_open')} (${get('size')})`;
}
