/**
 * The demo domain (examples/contoso.ldif + examples/krbops.yaml): every planted failure mode is
 * found, from the export and the recorded DNS/HTTP answers alone, and every answer says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';

const saved = { ...process.env };
beforeAll(() => {
  for (const k of Object.keys(process.env)) if (/^(LDAP_|SLACK_|KRBOPS_|KRB5|Microsoft)/.test(k)) delete process.env[k];
  Object.assign(process.env, { LDAP_URL: 'file:examples/contoso.ldif', KRBOPS_INVENTORY: 'examples/krbops.yaml' });
});
afterAll(() => {
  process.env = saved;
});

async function json(...argv: string[]): Promise<any> {
  let out = '';
  let err = '';
  const code = await main([...argv, '--json'], { out: (s) => (out += s), err: (s) => (err += s) });
  expect(code, err).toBe(0);
  return JSON.parse(out);
}

describe('the demo domain', () => {
  it.each([
    ['http://crm.contoso.com', ['spn-duplicate', 'delegation-not-trusted', 'backend-spn-missing', 'dns-reverse-mismatch']],
    ['http://reports.contoso.com', ['dns-cname-target', 'backend-spn-missing']],
    ['http://crmport.contoso.com:5555', ['spn-port-mismatch']],
    ['http://oldapp.contoso.com', ['keepalive-disabled', 'encryption-types-mismatch']],
  ])('why-401 %s finds the planted failures', async (url, rules) => {
    const r = await json('krb', 'why-401', url);
    const failing = r.findings.filter((f: { status: string }) => f.status === 'fail').map((f: { ruleId: string }) => f.ruleId);
    for (const id of rules) expect(failing).toContain(id);
    expect(r.findings[0].ruleId).toBe(rules[0]);
    expect(r.inferred).toContain('DNS and HTTP answers RECORDED in examples/krbops.yaml (demo data, not a real network), not asked live');
    expect(r.inferred[0]).toMatch(/^Directory: the export file:contoso\.ldif \(export written .* newest change 2026-11-30 14:15 UTC\), not a live DC$/);
    expect(r.collectorErrors.filter((e: { collector: string }) => e.collector === 'dns' || e.collector === 'http')).toEqual([]);
  });

  it('the clock check is undecided: an export has no clock and a recorded answer has no Date', async () => {
    const r = await json('krb', 'why-401', 'http://crm.contoso.com');
    const clock = r.findings.find((f: { ruleId: string }) => f.ruleId === 'clock-skew');
    expect(clock?.status).toBe('unknown');
    expect(JSON.stringify(r)).toContain('this is an export (contoso.ldif), not a DC: it has no clock to compare');
  });

  it('spn dupes finds the SPN left on the retired CRM account', async () => {
    const r = await json('spn', 'dupes');
    expect(r.duplicates.map((d: { spn: string; accounts: { sAMAccountName: string }[] }) => `${d.spn}=${d.accounts.map((a) => a.sAMAccountName).join(',')}`)).toEqual(['HTTP/crm.contoso.com=crmweb,crmweb-old']);
  });

  it('spn list reads the account facts the demo plants (Protected Users by RID, NOT_DELEGATED, RC4 only)', async () => {
    expect((await json('spn', 'list', 'carol')).account).toMatchObject({ protectedUser: true, domain: 'CONTOSO' });
    expect((await json('spn', 'list', 'CONTOSO\\bob')).account.userAccountControl.notDelegated).toBe(true);
    expect((await json('spn', 'list', 'svc-rc4')).account).toMatchObject({ encryptionTypeNames: ['RC4-HMAC'], supportedEncryptionTypes: 4 });
    expect((await json('spn', 'list', 'svc-adfs$')).account.kind).toBe('gmsa');
  });
});

describe('krb etypes on the export', () => {
  it('reads the accounts with SPNs and krbtgt, and when the domain could first make AES keys', async () => {
    const r = await json('krb', 'etypes');
    expect(JSON.stringify(r)).toContain('svc-rc4');
    expect(JSON.stringify(r)).toContain('krbtgt');
    expect(JSON.stringify(r)).toContain('2019-04-15');
  });
});

describe('krbops --version and config --json', () => {
  async function cli(...argv: string[]): Promise<{ code: number; out: string }> {
    let out = '';
    const code = await main(argv, { out: (s) => (out += s), err: () => undefined });
    return { code, out };
  }
  it('prints the version of package.json', async () => {
    const { readFileSync } = await import('node:fs');
    const r = await cli('--version');
    expect(r).toEqual({ code: 0, out: `${JSON.parse(readFileSync('package.json', 'utf8')).version}\n` });
  });
  it('prints the configuration as JSON with --json, naming the export', async () => {
    const r = await cli('config', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ ldifFile: 'examples/contoso.ldif', playground: false });
  });
});
