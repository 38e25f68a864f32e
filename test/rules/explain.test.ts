import { describe, expect, it } from 'vitest';
import { explainText } from '../../src/explain/index.js';
import { ruleById } from '../../src/rules/index.js';

/** Texts as engineers paste them (seed 001 event 4, seed 002 trace, seed 004 ADFS log). */
const cases: { name: string; text: string; codes: string[]; rules: string[]; next?: string[] }[] = [
  {
    name: 'maps the seed 001 event 4 (KRB_AP_ERR_MODIFIED) to the SPN-account rules, port case included',
    text: 'Event Type: Error Event Source: Kerberos Event ID: 4 The kerberos client received a KRB_AP_ERR_MODIFIED error from the server host/ONCCRM01. The target name used was HTTP/crm.contoso.test. This indicates that the password used to encrypt the kerberos service ticket is different than that on the target server.',
    codes: ['KRB_AP_ERR_MODIFIED', 'event 4'],
    rules: ['spn-wrong-account', 'spn-duplicate', 'kernel-mode-without-app-pool-credentials', 'spn-port-mismatch'],
    next: ['setspn -Q HTTP/crm.contoso.test', "krbops krb why-401 http://crm.contoso.test/ --identity '<app pool account>'"],
  },
  {
    name: 'maps KRB_AP_ERR_SKEW to clock-skew',
    text: 'KRB_AP_ERR_SKEW: Clock skew too great',
    codes: ['KRB_AP_ERR_SKEW'],
    rules: ['clock-skew'],
  },
  {
    name: 'maps KDC_ERR_S_PRINCIPAL_UNKNOWN (seed 002 netmon KRB_ERROR) to the missing-SPN rules',
    text: 'KRB_ERROR - KDC_ERR_S_PRINCIPAL_UNKNOWN (7) Sname: HTTP/crm.contoso.test',
    codes: ['KDC_ERR_S_PRINCIPAL_UNKNOWN'],
    rules: ['spn-missing-fqdn', 'spn-missing-short-name', 'spn-port-mismatch', 'dns-cname-target', 'spn-duplicate'],
    next: ['krbops spn query HTTP/crm.contoso.test', 'nslookup crm.contoso.test'],
  },
  {
    name: 'maps the MIT wording "Server not found in Kerberos database" too',
    text: 'kvno: Server not found in Kerberos database while getting credentials for HTTP/crm@CONTOSO.TEST',
    codes: ['KDC_ERR_S_PRINCIPAL_UNKNOWN'],
    rules: ['spn-missing-fqdn'],
    next: ['setspn -Q HTTP/crm'],
  },
  {
    name: 'maps ID4175 (seed 004) to the ADFS rollover rule',
    text: 'Exception type: SecurityTokenException Exception message: ID4175: The issuer of the security token was not recognized by the IssuerNameRegistry.',
    codes: ['ID4175'],
    rules: ['claims-auth-certificate-rollover'],
    next: ['krbops adfs check'],
  },
  {
    name: 'tells 401.1 (credentials rejected: Kerberos) from 401.2 (no usable scheme)',
    text: 'HTTP Error 401.1 - Unauthorized: Access is denied due to invalid credentials.',
    codes: ['401.1'],
    rules: ['spn-missing-fqdn', 'kernel-mode-without-app-pool-credentials', 'keepalive-disabled', 'clock-skew'],
  },
  {
    name: 'maps 401.2 to Negotiate not offered',
    text: 'HTTP Error 401.2 - Unauthorized: Access is denied due to server configuration.',
    codes: ['401.2'],
    rules: ['negotiate-not-offered'],
  },
  {
    name: 'maps KDC event 11 to duplicate SPNs (seed 001)',
    text: 'Event ID 11 KDC: There are multiple accounts with name HTTP/crm.contoso.test of type DS_SERVICE_PRINCIPAL_NAME.',
    codes: ['event 11'],
    rules: ['spn-duplicate'],
    next: ['setspn -X', 'krbops spn dupes'],
  },
  {
    name: 'maps ANONYMOUS LOGON at the backend to the double-hop rules (seed 002)',
    text: "Login failed for user 'NT AUTHORITY\\ANONYMOUS LOGON'.",
    codes: ['ANONYMOUS LOGON'],
    rules: ['delegation-not-trusted', 'backend-spn-missing', 'user-not-delegatable'],
  },
];

describe('krb explain catalog', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const r = explainText(c.text);
    expect(r.matches.map((m) => m.code)).toEqual(c.codes);
    const ruleIds = r.matches.flatMap((m) => m.rules.map((x) => x.ruleId));
    for (const id of c.rules) expect(ruleIds).toContain(id);
    for (const n of c.next ?? []) expect(r.matches.flatMap((m) => m.nextChecks)).toContain(n);
    expect(r.verdict.startsWith(`${c.codes[0]}: `)).toBe(true);
  });

  it('names only rules that exist', () => {
    for (const c of cases) for (const m of explainText(c.text).matches) for (const x of m.rules) expect(ruleById(x.ruleId), x.ruleId).toBeDefined();
  });

  it('says so when nothing is recognised, and suggests what to paste', () => {
    const r = explainText('the site is slow today');
    expect(r.matches).toEqual([]);
    expect(r.verdict).toContain('No Kerberos, IIS or ADFS error code recognised');
  });

  it('extracts the SPNs, hosts and URLs mentioned', () => {
    const r = explainText('Target name HTTP/crm.contoso.test@CONTOSO.TEST, users open http://crm.contoso.test/main.aspx.');
    expect(r.mentioned).toEqual({ spns: ['HTTP/crm.contoso.test'], hosts: ['crm.contoso.test'], urls: ['http://crm.contoso.test/main.aspx'] });
  });

  it('builds the next checks with src/fix: a pasted URL is quoted for sh, a value it refuses becomes a placeholder', () => {
    const r = explainText("HTTP Error 401.2 - Unauthorized at http://crm.contoso.test/a;$HOME&x=`id` today");
    const next = r.matches.flatMap((m) => m.nextChecks);
    expect(next).toContain("curl -sI 'http://crm.contoso.test/a;$HOME&x=%60id%60'");
    expect(next).toContain("krbops krb why-401 'http://crm.contoso.test/a;$HOME&x=%60id%60'");
    // An SPN-like word that is no SPN the builder prints: the command keeps its placeholder.
    expect(explainText('KDC_ERR_S_PRINCIPAL_UNKNOWN').matches[0]?.nextChecks).toEqual(['setspn -Q "HTTP/<host>"', "krbops spn query 'HTTP/<host>'", 'nslookup "<host>"', "krbops krb why-401 '<url>'"]);
  });

  it('gives every recognised code its next checks, with placeholders when the text names nothing', () => {
    const texts = ['ID4175', 'KRB_AP_ERR_SKEW', 'KRB_AP_ERR_MODIFIED', 'KDC_ERR_S_PRINCIPAL_UNKNOWN', 'RC4DefaultDisablementPhase', 'KDCSVC event 205', 'event 4769 Available Keys', 'KDC_ERR_ETYPE_NOSUPP', 'KDC_ERR_BADOPTION', 'event id 11', 'event id 4', 'HTTP 401.2', 'HTTP 401.1', 'NT AUTHORITY\\ANONYMOUS LOGON', 'HTTP 401'];
    for (const t of texts) {
      const r = explainText(t);
      expect(r.matches.length, t).toBeGreaterThan(0);
      for (const m of r.matches) expect(m.nextChecks.length, `${t}: ${m.code}`).toBeGreaterThan(0);
    }
  });

  it('shortens the echoed input', () => {
    expect(explainText(`KRB_AP_ERR_SKEW ${'x'.repeat(5000)}`).input.length).toBeLessThanOrEqual(300);
  });
});
