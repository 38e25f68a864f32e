/**
 * `krb why-401` proves its verdict: end to end against the Kerberos web lab (test/lab/web.ts) with
 * the probe identity krbops-reader — directory, DNS and KDC of the web lab's DC, the real SPNEGO
 * exchange with Apache mod_auth_gssapi, the rule catalog and the verdict.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { why401Text } from '../../cards/text/why-401.js';
import { resolveCommand, tokenize } from '../../commands/parse.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createContext } from '../../src/core.js';
import { silentLogger } from '../../src/log.js';
import type { Why401Result } from '../../src/model/index.js';
import { webLabEnv, type WebLab, type WebSiteName } from '../helpers/web-lab-env.js';

let web: WebLab;
let config: Config;
const results = new Map<string, Why401Result>();

async function why(line: string, cfg: Config = config): Promise<Why401Result> {
  const { command, args } = resolveCommand(commands, tokenize(line));
  const ctx = createContext(cfg, silentLogger, { surface: 'cli', id: 'test' });
  try {
    return (await command.run(ctx, args)) as Why401Result;
  } finally {
    await ctx.close();
  }
}

async function site(name: WebSiteName): Promise<Why401Result> {
  if (!results.has(name)) results.set(name, await why(`krb why-401 ${web.sites[name].url}`));
  return results.get(name)!;
}

const ABOVE_LOW = ['critical', 'high', 'medium'];
const brief = (r: Why401Result) => JSON.stringify({ verdict: r.verdict, authentication: r.authentication, findings: r.findings.map((f) => [f.ruleId, f.status, f.severity, f.verified, f.subject]) });

beforeAll(async () => {
  web = await webLabEnv();
  config = loadConfig({ ...web.lab.env(), KRBOPS_PROBE_TIMEOUT_MS: '8000' });
});
afterAll(() => results.clear());

describe('why-401 with a probe identity, on every site of the web lab', () => {
  const table: { name: WebSiteName; outcome: string; code?: number; proves?: string }[] = [
    { name: 'newapp', outcome: 'no-ticket', code: 7, proves: 'spn-missing-fqdn' },
    { name: 'projects', outcome: 'no-ticket', code: 7, proves: 'spn-duplicate' },
    { name: 'timesheets', outcome: 'rejected', code: 35, proves: 'server-cannot-decrypt' },
    { name: 'wiki', outcome: 'rejected', code: 31, proves: 'server-cannot-decrypt' },
    { name: 'helpdesk', outcome: 'rejected', code: 44, proves: 'keytab-key-version-mismatch' },
    { name: 'expenses', outcome: 'rejected', code: 37, proves: 'clock-skew' },
    { name: 'portal', outcome: 'no-ticket', code: 7, proves: 'dns-cname-target' },
    { name: 'legacyapp', outcome: 'not-offered', proves: 'negotiate-not-offered' },
  ];
  it.each(table)('$name: $outcome $code, verified by $proves on top', async ({ name, outcome, code, proves }) => {
    const r = await site(name);
    expect(r.authentication, brief(r)).toMatchObject({ attempted: true, as: 'krbops-reader@CONTOSO.TEST', spn: web.sites[name].expect.spn, outcome });
    if (code !== undefined) expect(r.authentication?.kerberosError?.code, brief(r)).toBe(code);
    const top = r.findings[0];
    expect(top.ruleId, brief(r)).toBe(proves);
    expect(top.verified, brief(r)).toBe(true);
    expect(top.evidence[0], brief(r)).toMatch(/^Kerberos exchange \(krbops-reader@CONTOSO\.TEST → /);
    expect(r.verdict).toMatch(/^Cause verified by Kerberos: /);
    for (const f of r.findings) expect(typeof f.verified).toBe('boolean');
  });

  it('reports the healthy site as authenticated, with no failing finding above low severity', async () => {
    const r = await site('intranet');
    expect(r.authentication).toEqual({ attempted: true, as: 'krbops-reader@CONTOSO.TEST', spn: 'HTTP/intranet.contoso.test', outcome: 'authenticated', httpStatus: 200, user: 'krbops-reader@CONTOSO.TEST' });
    expect(r.findings.filter((f) => f.status === 'fail' && ABOVE_LOW.includes(f.severity)), brief(r)).toEqual([]);
    expect(r.findings.filter((f) => ABOVE_LOW.includes(f.severity)), brief(r)).toEqual([]);
    expect(r.verdict).toBe('Verified by Kerberos as krbops-reader@CONTOSO.TEST: http://intranet.contoso.test/ accepts Kerberos (HTTP 200, mutual authentication verified).');
  });

  it('names the key versions of the stale keytab: kvno 2 at the KDC, websvc-helpdesk the holder', async () => {
    const r = await site('helpdesk');
    const f = r.findings.find((x) => x.ruleId === 'keytab-key-version-mismatch')!;
    expect(f.severity).toBe('critical');
    expect(f.evidence.join('\n')).toContain('key version 2 of websvc-helpdesk');
    expect(f.evidence[0]).toContain('KRB_AP_ERR_BADKEYVER (44)');
  });

  it('says whose key the ticket the server could not decrypt was made with', async () => {
    const r = await site('timesheets');
    const f = r.findings.find((x) => x.ruleId === 'server-cannot-decrypt')!;
    expect(f.evidence.join('\n')).toContain('the key of websvc-timesheets');
    expect(f.evidence[0]).toContain('KRB_AP_ERR_NOTUS (35)');
  });

  it("shows the skewed server's clock from its reject token", async () => {
    const r = await site('expenses');
    expect(r.findings[0].evidence[0]).toMatch(/KRB_AP_ERR_SKEW \(37\).*server time .* \((9\.\d|10\.\d) min ahead\)/);
  });

  it('prints the exchange in the terminal answer', async () => {
    const text = why401Text(await site('helpdesk'));
    expect(text).toContain('Kerberos exchange (krbops-reader@CONTOSO.TEST → HTTP/helpdesk.contoso.test)');
    expect(text).not.toMatch(/seed \d/i);
  });
});

describe('why-401 without a probe identity, or for a name nobody can resolve', () => {
  it('says the exchange was not attempted, and why', async () => {
    const { KRBOPS_KERBEROS_PRINCIPAL: _p, KRBOPS_KERBEROS_PASSWORD: _w, ...env } = web.lab.env();
    const r = await why(`krb why-401 ${web.sites.helpdesk.url}`, loadConfig(env));
    expect(r.authentication).toMatchObject({ attempted: false, reason: expect.stringMatching(/KRBOPS_KERBEROS_PRINCIPAL/) });
    expect(r.findings.every((f) => f.verified === false)).toBe(true);
  });

  it('puts an unresolvable host first, not a missing SPN', async () => {
    const r = await why('krb why-401 http://nosuchhost.contoso.test/');
    expect(r.findings[0], brief(r)).toMatchObject({ ruleId: 'host-unresolvable', status: 'fail', severity: 'critical' });
    expect(r.authentication).toMatchObject({ attempted: false });
  });
});
