/**
 * adfs-watch through the scheduler: metadata over HTTPS on loopback (certificates made with openssl
 * by the ADFS tests' support module), alerts posted once per alertKey across runs and restarts, a
 * rollover announced once, a refused delivery retried on the next run without duplicates.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { adfsWatchJob } from '../../src/jobs/adfs-watch.js';
import { Scheduler, type TickResult } from '../../src/jobs/scheduler.js';
import { silentLogger } from '../../src/log.js';
import { RecordingNotifier } from '../helpers/recording-notifier.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { buildMetadata, DAY, makeTokenCert, scratchDir, signMetadata, startHttpsServer, xmlRoute, type TestServer, type TokenCert } from '../adfs/support.js';
import { makeServerCert, type TestCert } from '../helpers/tls.js';

const METADATA = '/FederationMetadata/2007-06/FederationMetadata.xml';
const s = scratchDir('krbops-adfs-watch-');
const now = new Date();
let tls: TestCert;
let server: TestServer;
let primary: TokenCert;
let secondary: TokenCert;
let body = '';
let config: Config;

beforeAll(async () => {
  tls = makeServerCert(['127.0.0.1']);
  primary = makeTokenCert(s.dir, 'ADFS Signing - adfs.contoso.test', new Date(now.getTime() - 347 * DAY), new Date(now.getTime() + 18 * DAY + 3_600_000));
  secondary = makeTokenCert(s.dir, 'ADFS Signing - adfs.contoso.test', new Date(now.getTime() - 2 * DAY), new Date(now.getTime() + 363 * DAY));
  server = await startHttpsServer(tls, { [METADATA]: xmlRoute(() => body) });
  config = loadConfig({ KRBOPS_ADFS_METADATA_URLS: server.url(METADATA), KRBOPS_ADFS_CA_FILE: tls.caFile, KRBOPS_DB: join(s.dir, 'krbops.db') });
}, 60_000);
afterAll(async () => {
  await server?.close();
  rmSync(tls.dir, { recursive: true, force: true });
  s.cleanup();
});

let minute = 0;
const tick = () => new Date(Date.UTC(2025, 2, 1, 12, minute++));

function replica(store: Store, chat: RecordingNotifier) {
  return new Scheduler({ config, store, jobs: [adfsWatchJob(config)], log: silentLogger, notifiers: [chat], openDirectory: () => Promise.reject(new Error('not used')) });
}
const ok = (r: TickResult) => {
  expect(r).toMatchObject({ status: 'ran', outcome: 'ok' });
  return r;
};

it('posts each ADFS finding once, across runs and a restart, and announces a rollover once', async () => {
  body = signMetadata(buildMetadata({ signing: [primary] }), primary);
  let store = await openStore(config.dbUrl);
  let chat = new RecordingNotifier('chat');
  let scheduler = replica(store, chat);

  ok(await scheduler.runTick('adfs-watch', tick()));
  const first = chat.alerts.map((a) => a.key);
  // The primary expires in 18 days: the 30-day warning.
  expect(first).toEqual([`adfs:${server.url(METADATA)}:${primary.thumbprint}:expiring:30`]);
  expect(chat.alerts[0]).toMatchObject({ job: 'adfs-watch', source: 'ADFS certificate watch', findings: [expect.objectContaining({ ruleId: 'adfs-cert-expiring' })] });
  expect(chat.alerts[0].text).toContain(primary.thumbprint);

  chat.clear();
  ok(await scheduler.runTick('adfs-watch', tick()));
  expect(chat.alerts).toEqual([]);

  // Restart: a new store handle on the same file.
  await scheduler.stop();
  await store.close();
  store = await openStore(config.dbUrl);
  chat = new RecordingNotifier('chat');
  scheduler = replica(store, chat);
  ok(await scheduler.runTick('adfs-watch', tick()));
  expect(chat.alerts).toEqual([]);

  // AutoCertificateRollover publishes the secondary next to the primary.
  body = signMetadata(buildMetadata({ signing: [primary, secondary] }), primary);
  ok(await scheduler.runTick('adfs-watch', tick()));
  expect(chat.alerts.map((a) => a.key)).toEqual([`adfs:${server.url(METADATA)}:${secondary.thumbprint}:new-signing`]);
  chat.clear();
  ok(await scheduler.runTick('adfs-watch', tick()));
  expect(chat.alerts).toEqual([]);

  // The secondary becomes primary; the first delivery is refused, the next run retries it once.
  body = signMetadata(buildMetadata({ signing: [secondary, primary] }), secondary);
  chat.failNext(1);
  const failed = await scheduler.runTick('adfs-watch', tick());
  expect(failed).toMatchObject({ status: 'ran', outcome: 'failed', error: expect.stringContaining('will be retried') });
  const retried = chat.alerts.map((a) => a.key);
  ok(await scheduler.runTick('adfs-watch', tick()));
  const afterRetry = chat.alerts.map((a) => a.key);
  expect(afterRetry.length).toBeGreaterThan(retried.length);
  expect(new Set(afterRetry).size).toBe(afterRetry.length);
  expect(afterRetry.some((k) => k.endsWith(`${secondary.thumbprint}:primary`))).toBe(true);
  chat.clear();
  ok(await scheduler.runTick('adfs-watch', tick()));
  expect(chat.alerts).toEqual([]);

  const runs = await store.listRuns({ job: 'adfs-watch' });
  expect(runs.filter((r) => r.outcome === 'failed')).toHaveLength(1);
  await scheduler.stop();
  await store.close();
}, 60_000);
