/**
 * The Kerberos helper process (src/collectors/kerberos-helper.ts) against the Kerberos web lab: one
 * process for many probes, a TGT reused by its policy and never a service ticket, a killed helper
 * answered at once and replaced. Real MIT tools, the real addon, the lab's Samba KDC and Apaches.
 */
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeUrl } from '../../src/collectors/http-probe.js';
import { collectKdc } from '../../src/collectors/kdc.js';
import { KerberosHelper, KerberosHelperError } from '../../src/collectors/kerberos-helper.js';
import { probeKerberos } from '../../src/collectors/spnego.js';
import { webLabEnv, type WebLab, type WebSiteName } from '../helpers/web-lab-env.js';

let web: WebLab;
let kerberos: { principal: string; password: string; krb5Config: string };
const helpers: KerberosHelper[] = [];
const newHelper = (options: ConstructorParameters<typeof KerberosHelper>[0] = {}) => {
  const h = new KerberosHelper(options);
  helpers.push(h);
  return h;
};

beforeAll(async () => {
  web = await webLabEnv();
  kerberos = { principal: `krbops-reader@${web.lab.realm}`, password: web.lab.bindPassword, krb5Config: web.lab.krb5Conf };
});

afterAll(async () => {
  for (const h of helpers) await h.close();
});

async function probe(name: WebSiteName, helper: KerberosHelper, identity = kerberos, timeoutMs = 8000) {
  const site = web.sites[name];
  const anonymous = await probeUrl(site.url, { address: site.address, timeoutMs: 4000 });
  return probeKerberos({ url: site.url, host: site.expect.spn.slice(5), address: site.address, anonymous }, identity, { timeoutMs, helper });
}

/** Principals in a credential cache, by `klist`. */
function cachePrincipals(file: string): string[] {
  const out = execFileSync('klist', ['-c', `FILE:${file}`], { env: { ...process.env, LANG: 'C', KRB5_CONFIG: web.lab.krb5Conf }, encoding: 'utf8' });
  return out.split('\n').map((l) => l.trim().split(/\s+/)[4]).filter((p): p is string => !!p && p.includes('@') && !p.includes(':'));
}

describe('one helper process for many probes', () => {
  it('answers every site of the lab from the same process, with one TGT', async () => {
    const helper = newHelper();
    const sites: WebSiteName[] = ['intranet', 'helpdesk', 'wiki', 'timesheets', 'newapp', 'portal', 'expenses', 'intranet'];
    const pids = new Set<number | undefined>();
    for (const name of sites) {
      const a = await probe(name, helper);
      pids.add(helper.pid);
      expect(a, name).toMatchObject({ outcome: web.sites[name].expect.outcome });
      if (web.sites[name].expect.code !== undefined) expect(a.kerberosError?.code, name).toBe(web.sites[name].expect.code);
    }
    expect(pids.size).toBe(1);
    expect([...pids][0]).toBeGreaterThan(0);
    const status = await helper.status();
    expect(status.pid).toBe(helper.pid);
    expect(status.tgts).toHaveLength(1);
    expect(status.contexts).toBe(0);
  });

  it('runs 12 probes at once in one helper, each with its own cache and its own answer', async () => {
    const helper = newHelper();
    const sites: WebSiteName[] = ['intranet', 'helpdesk', 'wiki', 'newapp', 'timesheets', 'portal'];
    const all = await Promise.all([...sites, ...sites].map(async (name) => ({ name, a: await probe(name, helper) })));
    for (const { name, a } of all) {
      expect(a.outcome, name).toBe(web.sites[name].expect.outcome);
      expect(a.kerberosError?.code, name).toBe(web.sites[name].expect.code);
    }
    const { tgts } = await helper.status();
    expect(tgts).toHaveLength(1);
    // The shared cache holds the TGT only: every service ticket went to a probe's own copy.
    expect(cachePrincipals(tgts[0]!.file)).toEqual([`krbtgt/${web.lab.realm}@${web.lab.realm}`]);
  });

  it('still sees the stale keytab (44) right after a healthy probe: no service ticket is reused', async () => {
    const helper = newHelper();
    expect((await probe('intranet', helper)).outcome).toBe('authenticated');
    for (let i = 0; i < 2; i++) {
      const a = await probe('helpdesk', helper);
      expect(a).toMatchObject({ outcome: 'rejected', ticket: { kvno: 2 }, kerberosError: { code: 44, name: 'KRB_AP_ERR_BADKEYVER' } });
    }
    const { tgts } = await helper.status();
    expect(cachePrincipals(tgts[0]!.file)).toEqual([`krbtgt/${web.lab.realm}@${web.lab.realm}`]);
  });
});

describe('the TGT reuse policy', () => {
  const spns = ['HTTP/intranet.contoso.test'];

  it('reuses the TGT for the next request and reads its end time from the cache', async () => {
    const helper = newHelper();
    expect((await helper.kdc(spns, kerberos, 8000)).tgt).toBe('new');
    const second = await helper.kdc(spns, kerberos, 8000);
    expect(second.tgt).toBe('reused');
    expect(second.kvno?.stdout).toMatch(/HTTP\/intranet\.contoso\.test@CONTOSO\.TEST: kvno = \d/);
    const [tgt] = (await helper.status()).tgts;
    // Samba's default ticket lifetime: 10 hours.
    expect(tgt!.endMs - tgt!.obtainedAt).toBeGreaterThan(9 * 3600_000);
    expect(tgt!.endMs - tgt!.obtainedAt).toBeLessThan(11 * 3600_000);
  });

  it('gets a new TGT when less than the renewal margin is left', async () => {
    const helper = newHelper({ renewMarginMs: 11 * 3600_000 });
    expect((await helper.kdc(spns, kerberos, 8000)).tgt).toBe('new');
    expect((await helper.kdc(spns, kerberos, 8000)).tgt).toBe('new');
  });

  it('gets a new TGT when the one it has is older than the maximum age', async () => {
    const helper = newHelper({ maxTgtAgeMs: 300 });
    expect((await helper.kdc(spns, kerberos, 8000)).tgt).toBe('new');
    expect((await helper.kdc(spns, kerberos, 8000)).tgt).toBe('reused');
    await new Promise((r) => setTimeout(r, 400));
    expect((await helper.kdc(spns, kerberos, 8000)).tgt).toBe('new');
  });

  it('keeps one TGT per identity, and a failed kinit caches nothing', async () => {
    const helper = newHelper();
    const wrong = { ...kerberos, password: 'not-the-password' };
    const bad = await helper.kdc(spns, wrong, 8000);
    expect(bad.kinit?.stderr).toMatch(/Password incorrect/);
    expect((await helper.kdc(spns, kerberos, 8000)).tgt).toBe('new');
    expect((await helper.kdc(spns, wrong, 8000)).kinit).toBeDefined();
    expect((await helper.status()).tgts).toHaveLength(1);
  });
});

describe('a helper that dies or hangs', () => {
  // A KDC that takes requests and never answers (UDP and TCP on one port): kinit waits inside the helper.
  let silent: { udp: dgram.Socket; tcp: net.Server; krb5Config: string };
  beforeAll(async () => {
    const tcp = net.createServer(() => undefined);
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', () => r()));
    const port = (tcp.address() as net.AddressInfo).port;
    const udp = dgram.createSocket('udp4');
    await new Promise<void>((r) => udp.bind(port, '127.0.0.1', () => r()));
    const dir = mkdtempSync(path.join(tmpdir(), 'krbops-silent-kdc-'));
    const krb5Config = path.join(dir, 'krb5.conf');
    writeFileSync(krb5Config, `[libdefaults]\n\tdefault_realm = ${web.lab.realm}\n\tdns_lookup_kdc = false\n\tdns_lookup_realm = false\n[realms]\n\t${web.lab.realm} = {\n\t\tkdc = 127.0.0.1:${port}\n\t}\n`);
    silent = { udp, tcp, krb5Config };
  });
  afterAll(async () => {
    silent.udp.close();
    silent.tcp.close();
  });

  it('answers the request in flight with a clear error when the helper is killed, and restarts it for the next', async () => {
    const helper = newHelper();
    expect((await collectKdc(['HTTP/intranet.contoso.test'], kerberos, { helper, timeoutMs: 8000 })).ok).toBe(true);
    const first = helper.pid!;
    const started = Date.now();
    const inFlight = collectKdc(['HTTP/intranet.contoso.test'], { ...kerberos, krb5Config: silent.krb5Config }, { helper, timeoutMs: 8000 });
    await new Promise((r) => setTimeout(r, 300));
    process.kill(first, 'SIGKILL');
    const ev = await inFlight;
    expect(Date.now() - started).toBeLessThan(3000);
    expect(ev.ok).toBe(false);
    expect(ev.error).toMatchObject({ collector: 'kdc', code: 'KERBEROS_HELPER', message: expect.stringMatching(/Kerberos helper process ended \(SIGKILL\)/) });
    // The next probe gets a new helper and a real answer.
    expect(await probe('helpdesk', helper)).toMatchObject({ outcome: 'rejected', kerberosError: { code: 44 } });
    expect(helper.pid).toBeDefined();
    expect(helper.pid).not.toBe(first);
  });

  it('gives the SPNEGO probe in flight an error outcome, not a hang, when the helper is killed', async () => {
    const helper = newHelper();
    const inFlight = probe('intranet', helper, { ...kerberos, krb5Config: silent.krb5Config });
    await new Promise((r) => setTimeout(r, 500));
    process.kill(helper.pid!, 'SIGKILL');
    const a = await inFlight;
    expect(a.outcome).toBe('error');
    expect(a.message).toMatch(/Kerberos helper process ended/);
    expect((await probe('intranet', helper)).outcome).toBe('authenticated');
  });

  it('bounds a request by its time when the KDC never answers', async () => {
    const helper = newHelper();
    const started = Date.now();
    const ev = await collectKdc(['HTTP/intranet.contoso.test'], { ...kerberos, krb5Config: silent.krb5Config }, { helper, timeoutMs: 400 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(ev.error?.code).toBe('PROBE_TIMEOUT');
    expect((await collectKdc(['HTTP/intranet.contoso.test'], kerberos, { helper, timeoutMs: 8000 })).ok).toBe(true);
  });

  it('ends a helper that does not answer past the deadline, so later probes get a fresh one', async () => {
    const helper = newHelper({ graceMs: 200 });
    await helper.kdc(['HTTP/intranet.contoso.test'], kerberos, 8000);
    const stuck = helper.pid!;
    process.kill(stuck, 'SIGSTOP');
    await expect(helper.kdc(['HTTP/intranet.contoso.test'], kerberos, 300)).rejects.toMatchObject({ code: 'PROBE_TIMEOUT' });
    await new Promise((r) => setTimeout(r, 500));
    expect(() => process.kill(stuck, 0)).toThrow();
    expect((await helper.kdc(['HTTP/intranet.contoso.test'], kerberos, 8000)).tgt).toBe('new');
    expect(helper.pid).not.toBe(stuck);
  });

  it('refuses requests after close with a named error', async () => {
    const helper = newHelper();
    await helper.kdc(['HTTP/intranet.contoso.test'], kerberos, 8000);
    const pid = helper.pid!;
    await helper.close();
    expect(() => process.kill(pid, 0)).toThrow();
    await expect(helper.kdc(['HTTP/intranet.contoso.test'], kerberos, 8000)).rejects.toBeInstanceOf(KerberosHelperError);
  });
});
