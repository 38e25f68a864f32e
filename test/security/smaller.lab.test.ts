/**
 * Issue 11, "Smaller": the small breaks found while attacking krbops, each through the real CLI or
 * the real botbuilder stack.
 */
import { rmSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { loadConfig } from '../../src/config.js';
import { mapLdapError } from '../../src/directory/ldap-client.js';
import { DirectoryTimeoutError } from '../../src/errors.js';
import { FakeBotConnector } from '../helpers/fake-bot-connector.js';
import { labEnv, type Lab } from '../helpers/lab-env.js';
import { makeServerCert, type TestCert } from '../helpers/tls.js';
import { APP_ID, APP_PASSWORD, startHarness } from '../surfaces/teams/harness.js';
import { botChannelUpdate, CHANNEL_ID } from '../surfaces/teams/activities.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireLdap } from '../../src/config.js';
import { openDirectory } from '../../src/directory/ldap-directory.js';
import { dupesWatchJob, type DupesWatchSummary } from '../../src/jobs/dupes-watch.js';
import { Scheduler } from '../../src/jobs/scheduler.js';
import { silentLogger } from '../../src/log.js';
import { openStore } from '../../src/store/index.js';

async function cli(argv: string[], env: Record<string, string | undefined>): Promise<{ code: number; out: string; err: string }> {
  const saved = { ...process.env };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  let out = '';
  let err = '';
  try {
    const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s) });
    return { code, out, err };
  } finally {
    process.env = saved;
  }
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

let lab: Lab;
beforeAll(async () => {
  lab = await labEnv();
});

describe('adfs check when the metadata cannot be fetched', () => {
  it('exits 4 (a dependency is down), as the README says', async () => {
    const port = await freePort();
    const r = await cli(['adfs', 'check', `https://127.0.0.1:${port}/FederationMetadata/2007-06/FederationMetadata.xml`], {});
    expect(r.out + r.err).toMatch(/refused|ECONNREFUSED/i);
    expect(r.code).toBe(4);
  });
});

describe('KRBOPS_DB with a scheme krbops does not speak', () => {
  it('is refused, naming the variable, instead of becoming a SQLite file named "mysql:"', async () => {
    expect(() => loadConfig({ KRBOPS_DB: 'mysql://krbops@db/krbops' })).toThrow(/KRBOPS_DB: mysql:\/\/ is not supported/);
    const r = await cli(['krb', 'approvals'], { KRBOPS_DB: 'mysql://krbops@db/krbops' });
    expect(r.code).toBe(2);
    expect(r.err).toContain('KRBOPS_DB');
    expect(loadConfig({ KRBOPS_DB: 'postgres://u@h/db' }).dbUrl).toBe('postgres://u@h/db');
    expect(loadConfig({ KRBOPS_DB: 'sqlite:///var/lib/krbops.db' }).dbUrl).toBe('sqlite:///var/lib/krbops.db');
  });
});

describe('a frozen domain controller (TLS up, then no LDAP answer, like a stopped Samba)', () => {
  let frozen: tls.Server;
  let cert: TestCert;
  let port: number;
  const sockets = new Set<tls.TLSSocket>();
  beforeAll(async () => {
    cert = makeServerCert(['127.0.0.1']);
    frozen = tls.createServer({ key: cert.key, cert: cert.cert }, (s) => sockets.add(s));
    await new Promise<void>((r) => frozen.listen(0, '127.0.0.1', r));
    port = (frozen.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => frozen.close(r));
    rmSync(cert.dir, { recursive: true, force: true });
  });

  it('maps ldapts\'s "Operation timed out" (a DC that stops answering mid-session) to a timeout', () => {
    const e = mapLdapError(new Error('SearchRequest: Operation timed out'), 'ldaps://dc1.contoso.test:636');
    expect(e).toBeInstanceOf(DirectoryTimeoutError);
    expect(e.message).toBe('dc1.contoso.test:636 timed out: no answer in time (operation timeout)');
  });

  it('is reported by the CLI as timed out, not as "an answer krbops cannot read"', async () => {
    const r = await cli(['spn', 'list', 'crmweb'], { ...lab.env(), LDAP_URL: `ldaps://127.0.0.1:${port}`, LDAP_CA_FILE: cert.caFile, LDAP_TIMEOUT_MS: '700' });
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/timed out/);
    expect(r.err).not.toMatch(/cannot read/);
  });
});

describe('a Teams token with the wrong audience while the Bot Framework metadata cannot be fetched', () => {
  it('answers 503 without internals', async () => {
    const fake = await FakeBotConnector.start({ appId: APP_ID, appPassword: APP_PASSWORD });
    const dead = await freePort();
    const h = await startHarness({}, { cloud: { ...fake.cloud, openIdMetadataUrl: `http://127.0.0.1:${dead}/v1/.well-known/openidconfiguration` } }, fake);
    try {
      const activity = { type: 'message', id: 'm1', text: 'spn list crmweb', serviceUrl: fake.serviceUrl, channelId: 'msteams', from: { id: 'u1', aadObjectId: 'aad-u1' }, recipient: { id: `28:${APP_ID}` }, conversation: { id: 'c1', conversationType: 'personal' } };
      const res = await fake.postActivity(h.url, activity, { authorization: `Bearer ${fake.channelToken({ audience: 'another-app-id' })}` });
      expect(res.status).toBe(503);
      expect(res.body).not.toMatch(/ECONNREFUSED|FetchError|127\.0\.0\.1|openid|\bat /i);
    } finally {
      await h.close();
      await fake.close();
    }
  });
});

describe('Teams configured, but krbops is in no channel yet', () => {
  it('keeps the watcher\'s alert for later without marking the run failed, and posts it once added to a channel', async () => {
    const store = await openStore(join(mkdtempSync(join(tmpdir(), 'krbops-nochannel-')), 'krbops.db'));
    const h = await startHarness(lab.env(), { store });
    const config = loadConfig({ ...lab.env(), KRBOPS_DUPES_ALLOW: 'kadmin/changepw' });
    const scheduler = new Scheduler({ config, store, jobs: [dupesWatchJob(config)], log: silentLogger, notifiers: [h.surface.notifier()], openDirectory: () => openDirectory(requireLdap(config), silentLogger) });
    try {
      const first = await scheduler.runTick('dupes-watch', new Date('2026-12-01T10:00:00.000Z'));
      expect(first).toMatchObject({ status: 'ran', outcome: 'ok' });
      expect(h.fake.messages()).toEqual([]);
      expect(await store.isPosted(`dupes:baseline`, 'teams')).toBe(false);

      await h.fake.postActivity(h.url, botChannelUpdate('added', { serviceUrl: h.fake.serviceUrl, appId: APP_ID }));
      h.fake.clear();
      const second = await scheduler.runTick('dupes-watch', new Date('2026-12-01T10:15:00.000Z'));
      expect(second).toMatchObject({ status: 'ran', outcome: 'ok' });
      expect((second as { summary: DupesWatchSummary }).summary.alertsPosted).toBeGreaterThanOrEqual(1);
      expect(h.fake.messages().map((m) => m.conversationId)).toContain(CHANNEL_ID);
    } finally {
      await scheduler.stop();
      await h.close();
      await store.close();
    }
  });
});
