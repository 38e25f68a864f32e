/**
 * why-401's encryption-types-mismatch rule under the 2026 default, with the same model as krb etypes:
 * "not set" is no longer fine when the account likely has no AES keys.
 */
import { describe, expect, it } from 'vitest';
import type { Evidence } from '../../src/model/index.js';
import { runRules } from '../../src/engine.js';
import { rules } from '../../src/rules/index.js';
import { judgeFindings } from '../../src/rules/support/verdict.js';
import { anAccount, anEvidence, contoso } from '../rules/builders.js';

const KEY_FACTS = { domainDn: 'DC=contoso,DC=test', domainCreated: '2003-05-01T00:00:00.000Z', rodcGroupCreated: '2009-06-01T10:00:00.000Z' };

function withKeys(ev: Evidence, pwdLastSet: Record<string, string | undefined>, keyFacts: typeof KEY_FACTS | null = KEY_FACTS): Evidence {
  const accounts = ev.directory!.accounts.map((a) => (a.sAMAccountName in pwdLastSet ? { ...a, pwdLastSet: pwdLastSet[a.sAMAccountName] } : { ...a, pwdLastSet: '2024-01-01T00:00:00.000Z' }));
  return { ...ev, directory: { ...ev.directory!, accounts, ...(keyFacts ? { keyFacts } : {}) } };
}

const findings = (ev: Evidence) => runRules(ev, rules).findings.filter((f) => f.ruleId === 'encryption-types-mismatch');

describe('encryption-types-mismatch under the 2026 AES-only default', () => {
  it('fails an app pool account with encryption types not set and a password older than the domain\'s AES support', () => {
    const [f, ...rest] = findings(withKeys(anEvidence({}), { crmweb: '2005-03-01T00:00:00.000Z' }));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ status: 'fail', severity: 'high', subject: 'HTTP/crm.contoso.test' });
    expect(f.evidence.join('\n')).toMatch(/assumes AES only \(0x18\)/);
    expect(f.evidence.join('\n')).toMatch(/heuristic: confirm with event 4769/);
    expect(f.fix.commands).toContain('Set-ADAccountPassword -Identity crmweb -Reset');
    expect(f.fix.commands.some((c) => c.startsWith('ktpass /princ HTTP/crm.contoso.test@CONTOSO.TEST'))).toBe(true);
  });

  it('passes the same account once its password is newer than the RID-521 group', () => {
    expect(findings(withKeys(anEvidence({}), {}))).toEqual([]);
  });

  it('says unknown, and how to decide, when pwdLastSet is empty', () => {
    const [f] = findings(withKeys(anEvidence({}), { crmweb: undefined }));
    expect(f).toMatchObject({ status: 'unknown' });
    expect(f.missing?.join(' ')).toMatch(/Available Keys/);
  });

  it('reports RC4 still allowed with AES keys missing as medium', () => {
    const ev = anEvidence({ accounts: [anAccount({ sam: 'crmweb', spns: ['HTTP/crm', 'HTTP/crm.contoso.test'], encryptionTypes: 0x1c }), ...contoso.computers()] });
    const [f] = findings(withKeys(ev, { crmweb: '2005-03-01T00:00:00.000Z' }));
    expect(f).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(f.evidence.join('\n')).toMatch(/RC4 is still allowed explicitly and AES keys are likely missing/);
  });

  it('does not ask the AES-key question without the domain\'s key facts', () => {
    expect(findings(withKeys(anEvidence({}), { crmweb: '2005-03-01T00:00:00.000Z' }, null))).toEqual([]);
  });

  it('names KDC_ERR_ETYPE_NOSUPP (14) when the KDC refused, with the model\'s fix', () => {
    const ev = withKeys(anEvidence({ kdc: [{ spn: 'HTTP/crm.contoso.test', outcome: 'etype', message: 'KDC has no support for encryption type' }] }), { crmweb: '2005-03-01T00:00:00.000Z' });
    const [f] = findings(ev);
    expect(f.certainty).toBe(1);
    expect(f.evidence[0]).toContain('KDC_ERR_ETYPE_NOSUPP, 14');
    expect(f.fix.commands).toContain('Set-ADAccountPassword -Identity crmweb -Reset');
  });
});

describe('encryption-types-mismatch with the why-401 probe (the real exchange)', () => {
  const OLD = { crmweb: '2005-03-01T00:00:00.000Z' };
  const probe = (a: Record<string, unknown>) => ({ attempted: true, as: 'krbops-probe@CONTOSO.TEST', spn: 'HTTP/crm.contoso.test', ...a });

  it('takes the probe refused with KDC_ERR_ETYPE_NOSUPP (14) as proof, and the verdict marks it verified', () => {
    const ev = { ...withKeys(anEvidence({}), {}), authentication: probe({ outcome: 'no-ticket', kerberosError: { code: 14, name: 'KDC_ERR_ETYPE_NOSUPP', from: 'kdc' } }) } as Evidence;
    const [f] = judgeFindings(findings(ev), ev);
    expect(f).toMatchObject({ status: 'fail', certainty: 1, verified: true, subject: 'HTTP/crm.contoso.test' });
    expect(f.evidence.join('\n')).toContain("The KDC refused the probe's ticket for HTTP/crm.contoso.test: KDC_ERR_ETYPE_NOSUPP (14)");
  });

  it('an AES ticket proves the AES keys the password date doubted', () => {
    const ev = { ...withKeys(anEvidence({}), OLD), authentication: probe({ outcome: 'authenticated', httpStatus: 200, mutual: 'verified', ticket: { etype: 18, etypeName: 'aes256-cts-hmac-sha1-96', kvno: 3 } }) } as Evidence;
    expect(findings(ev)).toEqual([]);
  });

  it('names an RC4 ticket in the evidence of an RC4-allowing account without AES keys', () => {
    const ev0 = anEvidence({ accounts: [anAccount({ sam: 'crmweb', spns: ['HTTP/crm', 'HTTP/crm.contoso.test'], encryptionTypes: 0x1c }), ...contoso.computers()] });
    const ev = { ...withKeys(ev0, OLD), authentication: probe({ outcome: 'rejected', ticket: { etype: 23, etypeName: 'rc4-hmac', kvno: 2 }, kerberosError: { code: 31, name: 'KRB_AP_ERR_BAD_INTEGRITY', from: 'server' } }) } as Evidence;
    const [f] = findings(ev);
    expect(f.evidence.join('\n')).toContain('The ticket the KDC issued for HTTP/crm.contoso.test is rc4-hmac (etype 23): RC4');
  });
});

describe('krb explain knows the 2026 encryption-type signals', () => {
  it.each([
    ['kvno: KDC has no support for encryption type while getting credentials for HTTP/crm.contoso.test@CONTOSO.TEST', 'KDC_ERR_ETYPE_NOSUPP'],
    ['KDC_ERR_ETYPE_NOTSUPP', 'KDC_ERR_ETYPE_NOSUPP'],
    ['Event ID 4769 A Kerberos service ticket was requested. Available Keys: RC4', 'event 4769 Available Keys'],
    ['Source: KDCSVC Event ID: 205 The Key Distribution Center detected…', 'KDCSVC 201–209'],
    ['RC4DefaultDisablementPhase = 1', 'RC4DefaultDisablementPhase'],
  ])('%s → %s', async (text, code) => {
    const { explainText } = await import('../../src/explain/index.js');
    const r = explainText(text);
    expect(r.matches.map((m) => m.code)).toContain(code);
    const m = r.matches.find((x) => x.code === code)!;
    expect(m.rules.map((x) => x.ruleId)).toContain('encryption-types-mismatch');
    expect(m.nextChecks).toContain('krbops krb etypes');
  });
});
