/**
 * The exchange as judge (src/rules/support/verdict.ts): confirmed findings are verified and carry
 * the exchange first, contradicted ones are demoted, an unresolvable host ranks first.
 */
import { describe, expect, it } from 'vitest';
import type { AuthenticationEvidence, Evidence } from '../../src/model/index.js';
import { runRules, why401Result } from '../../src/engine.js';
import { rules } from '../../src/rules/index.js';
import { anAccount, anEvidence, contoso } from './builders.js';

const exchange = (ev: Evidence, a: Partial<AuthenticationEvidence>): Evidence => ({ ...ev, authentication: { attempted: true, as: 'alice@CONTOSO.TEST', spn: 'HTTP/crm.contoso.test', ...a } });
const answer = (ev: Evidence) => why401Result(ev, runRules(ev, rules), 1);

describe('verdict from the Kerberos exchange', () => {
  it('demotes a missing short-name SPN to low on a site that authenticated, saying users of the short name fall back to NTLM', () => {
    const ev = exchange(anEvidence({ accounts: [anAccount({ sam: 'crmweb', spns: ['HTTP/crm.contoso.test'] }), ...contoso.computers()] }), { outcome: 'authenticated', httpStatus: 200, mutual: 'verified', user: 'alice@CONTOSO.TEST' });
    const r = answer(ev);
    const short = r.findings.find((f) => f.ruleId === 'spn-missing-short-name')!;
    expect(short).toMatchObject({ status: 'fail', severity: 'low', verified: false });
    expect(short.evidence[0]).toMatch(/users who type the short name ask for HTTP\/crm and fall back to NTLM/);
    expect(r.findings.filter((f) => ['critical', 'high', 'medium'].includes(f.severity))).toEqual([]);
    expect(r.verdict).toBe('Verified by Kerberos as alice@CONTOSO.TEST: http://crm.contoso.test/ accepts Kerberos (HTTP 200, mutual authentication verified); 1 low-severity finding(s) remain.');
    expect(r.authentication).toEqual({ attempted: true, as: 'alice@CONTOSO.TEST', spn: 'HTTP/crm.contoso.test', outcome: 'authenticated', httpStatus: 200, user: 'alice@CONTOSO.TEST' });
  });

  it('verifies the wrong-account finding on KRB_AP_ERR_NOTUS and folds the generic cannot-decrypt finding into it', () => {
    const base = anEvidence({ accounts: [anAccount({ sam: 'crmweb', spns: [] }), anAccount({ sam: 'othersvc', spns: ['HTTP/crm.contoso.test', 'HTTP/crm'] }), ...contoso.computers()] });
    const r = answer(exchange(base, { outcome: 'rejected', httpStatus: 401, kerberosError: { code: 35, name: 'KRB_AP_ERR_NOTUS', from: 'server' } }));
    const ids = r.findings.filter((f) => f.status === 'fail').map((f) => f.ruleId);
    expect(ids).toContain('spn-wrong-account');
    expect(ids).not.toContain('server-cannot-decrypt');
    const top = r.findings[0];
    expect(top).toMatchObject({ ruleId: 'spn-wrong-account', verified: true });
    expect(top.evidence[0]).toMatch(/^Kerberos exchange \(alice@CONTOSO.TEST → HTTP\/crm.contoso.test\): ticket sent, HTTP 401 with reject KRB_AP_ERR_NOTUS \(35\)/);
    expect(r.verdict).toMatch(/^Cause verified by Kerberos: /);
  });

  it('marks every finding unverified when no exchange took place', () => {
    const r = answer({ ...anEvidence(), authentication: { attempted: false, reason: 'no probe identity is configured' } });
    expect(r.findings.every((f) => f.verified === false)).toBe(true);
    expect(r.authentication).toEqual({ attempted: false, reason: 'no probe identity is configured' });
  });

  it('ranks an unresolvable host above a missing SPN', () => {
    const ev = anEvidence({ accounts: [anAccount({ sam: 'crmweb', spns: [] }), ...contoso.computers()] });
    const r = answer({ ...ev, dns: { ...ev.dns!, ok: false, addresses: [], ptr: [], error: { collector: 'dns', code: 'ENOTFOUND', message: 'no record' } } });
    expect(r.findings.map((f) => f.ruleId).slice(0, 2)).toEqual(['host-unresolvable', 'spn-missing-fqdn']);
  });
});
