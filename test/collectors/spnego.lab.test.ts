/**
 * The SPNEGO probe against the Kerberos web lab (test/lab/web.ts): real MIT client through the
 * kerberos addon, real Samba KDC, real Apache mod_auth_gssapi acceptors, DNS through the lab DC.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { probeUrl } from '../../src/collectors/http-probe.js';
import { KERBEROS_ADDON_HINT, negotiateTokenOf, probeKerberos } from '../../src/collectors/spnego.js';
import { webLabEnv, WEB_SITES, type WebLab, type WebSiteName } from '../helpers/web-lab-env.js';

let web: WebLab;
let kerberos: { principal: string; password: string; krb5Config: string };

beforeAll(async () => {
  web = await webLabEnv();
  kerberos = { principal: `krbops-reader@${web.lab.realm}`, password: web.lab.bindPassword, krb5Config: web.lab.krb5Conf };
});

async function probe(name: WebSiteName, options: { timeoutMs?: number; kerberosModule?: string } = {}) {
  const site = web.sites[name];
  const anonymous = await probeUrl(site.url, { address: site.address, timeoutMs: 4000 });
  return probeKerberos({ url: site.url, host: site.expect.spn.slice(5), address: site.address, anonymous }, kerberos, { timeoutMs: options.timeoutMs ?? 8000, kerberosModule: options.kerberosModule });
}

describe('the exchange on every site of the web lab', () => {
  const table = (Object.keys(WEB_SITES) as WebSiteName[]).map((name) => ({ name, ...(WEB_SITES[name].expect as { outcome: string; code?: number; spn: string }), about: WEB_SITES[name].about }));
  it.each(table)('$name ($about): $outcome $code', async ({ name, outcome, code, spn }) => {
    const a = await probe(name);
    expect(a).toMatchObject({ attempted: true, as: 'krbops-reader@CONTOSO.TEST', spn, outcome });
    if (code === undefined) expect(a.kerberosError).toBeUndefined();
    else expect(a.kerberosError?.code).toBe(code);
  });

  it('proves the healthy site: 200, the user the server saw, mutual authentication verified', async () => {
    const a = await probe('intranet');
    expect(a).toMatchObject({ outcome: 'authenticated', httpStatus: 200, user: 'krbops-reader@CONTOSO.TEST', mutual: 'verified', ticket: { etype: 23, kvno: 1 } });
  });

  it('reads the key version the KDC used (2) from the ticket it sent to the stale-keytab site', async () => {
    const a = await probe('helpdesk');
    expect(a).toMatchObject({ httpStatus: 401, ticket: { kvno: 2 }, kerberosError: { code: 44, name: 'KRB_AP_ERR_BADKEYVER', from: 'server', serverName: 'HTTP/helpdesk.contoso.test@CONTOSO.TEST' } });
  });

  it("reports the skewed server's clock from the reject token", async () => {
    const a = await probe('expenses');
    const skewMin = (Date.parse(a.kerberosError!.serverTime!) - Date.parse(a.observedAt!)) / 60_000;
    expect(skewMin).toBeGreaterThan(8.9);
    expect(skewMin).toBeLessThan(10.1);
  });

  it('asks for the CNAME target, not the alias the SPN is on', async () => {
    const a = await probe('portal');
    expect(a).toMatchObject({ spn: 'HTTP/webfarm1.contoso.test', outcome: 'no-ticket', kerberosError: { code: 7, name: 'KDC_ERR_S_PRINCIPAL_UNKNOWN', from: 'kdc' } });
  });
});

describe('the probe stays private, bounded and optional', () => {
  it("never touches the host's default credential cache", async () => {
    const decoy = path.join(tmpdir(), `krbops-decoy-ccache-${process.pid}`);
    const before = process.env.KRB5CCNAME;
    process.env.KRB5CCNAME = `FILE:${decoy}`;
    try {
      expect((await probe('intranet')).outcome).toBe('authenticated');
    } finally {
      if (before === undefined) delete process.env.KRB5CCNAME;
      else process.env.KRB5CCNAME = before;
    }
    expect(existsSync(decoy)).toBe(false);
  });

  it('gives up within KRBOPS_PROBE_TIMEOUT_MS with an error outcome', async () => {
    const a = await probe('intranet', { timeoutMs: 5 });
    expect(a.outcome).toBe('error');
    expect(a.message).toMatch(/within 5 ms|in time/);
  });

  it('reports "not attempted" with the install hint when the addon cannot load', async () => {
    const a = await probe('intranet', { kerberosModule: path.join(tmpdir(), 'no-such-kerberos-addon', 'index.js') });
    expect(a.attempted).toBe(false);
    expect(a.reason).toContain(KERBEROS_ADDON_HINT);
  });

  it('finds the Negotiate token among several challenges', () => {
    expect(negotiateTokenOf(['NTLM', 'Negotiate oYGB+/=, Basic realm="x"'])).toBe('oYGB+/=');
    expect(negotiateTokenOf(['Negotiate'])).toBeUndefined();
  });
});
