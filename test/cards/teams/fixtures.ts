/**
 * Plain result data for every card the Teams surface can send, drawn from the seed scenarios
 * (Contoso CRM behind an NLB, duplicate SPNs, kernel-mode authentication, ADFS rollover) plus the
 * edge cases: empty answers, hostile text, answers too large for one card.
 */
import type { AccountFacts, AccountRef, AdfsCheckResult, ErrorResult, ExplainResult, Finding, SpnDupesResult, SpnListResult, SpnQueryResult, UacFlags, Why401Result } from '../../../src/model/index.js';
import { explainText } from '../../../src/explain/index.js';
import { withFix } from '../../../commands/spn-dupes.js';
import { duplicateSpnFix } from '../../../src/fix/index.js';
import { queryResult } from '../../../commands/spn-query.js';

export function uac(names: string[] = ['NORMAL_ACCOUNT'], raw = 512): UacFlags {
  const has = (n: string) => names.includes(n);
  return {
    raw,
    names,
    disabled: has('ACCOUNTDISABLE'),
    lockout: false,
    passwordNotRequired: false,
    normalAccount: has('NORMAL_ACCOUNT'),
    workstationTrust: has('WORKSTATION_TRUST_ACCOUNT'),
    serverTrust: false,
    dontExpirePassword: has('DONT_EXPIRE_PASSWORD'),
    smartcardRequired: false,
    trustedForDelegation: has('TRUSTED_FOR_DELEGATION'),
    notDelegated: has('NOT_DELEGATED'),
    useDesKeyOnly: false,
    dontRequirePreauth: false,
    trustedToAuthForDelegation: has('TRUSTED_TO_AUTH_FOR_DELEGATION'),
    partialSecretsAccount: false,
  };
}

export function anAccount(o: Partial<AccountFacts> = {}): AccountFacts {
  const sam = o.sAMAccountName ?? 'svc_crmweb';
  return {
    dn: `CN=${sam},OU=Service Accounts,DC=contoso,DC=test`,
    sAMAccountName: sam,
    domain: 'CONTOSO',
    userPrincipalName: `${sam}@contoso.test`,
    kind: 'user',
    objectClass: ['top', 'person', 'organizationalPerson', 'user'],
    servicePrincipalName: [],
    userAccountControl: uac(['NORMAL_ACCOUNT', 'DONT_EXPIRE_PASSWORD'], 66048),
    allowedToDelegateTo: [],
    hasResourceBasedDelegation: false,
    supportedEncryptionTypes: 24,
    encryptionTypeNames: ['AES128', 'AES256'],
    pwdLastSet: '2026-03-02T08:15:00.000Z',
    whenChanged: '2026-11-20T16:40:12.000Z',
    uSNChanged: '41230',
    memberOf: [],
    protectedUser: false,
    ...o,
  };
}

const ref = (sam: string, o: Partial<AccountRef> = {}): AccountRef => ({
  dn: sam.endsWith('$') ? `CN=${sam.slice(0, -1)},OU=Servers,DC=contoso,DC=test` : `CN=${sam},OU=Service Accounts,DC=contoso,DC=test`,
  sAMAccountName: sam,
  whenChanged: '2026-11-20T16:40:12.000Z',
  ...o,
});

export function aFinding(o: Partial<Finding> = {}): Finding {
  return {
    ruleId: 'spn-wrong-account',
    severity: 'high',
    status: 'fail',
    title: 'HTTP/crm.contoso.test is registered on NDCRMSRV1$, not on the app-pool identity CONTOSO\\svc_crmweb',
    why: 'Behind the NLB every node decrypts the ticket with the app-pool account’s key; a ticket encrypted for the computer account fails with KRB_AP_ERR_MODIFIED and the browser shows 401.',
    evidence: [
      'HTTP/crm.contoso.test: held by NDCRMSRV1$ (CN=NDCRMSRV1,OU=Servers,DC=contoso,DC=test)',
      'App-pool identity: CONTOSO\\svc_crmweb (from the inventory)',
      'crm.contoso.test resolves to 10.0.10.50 (NLB virtual IP), PTR nlb-crm.contoso.test',
    ],
    fix: {
      summary: 'Move the HTTP SPNs from the computer account to the app-pool account',
      commands: ['setspn -D HTTP/crm.contoso.test NDCRMSRV1$', 'setspn -S HTTP/crm.contoso.test CONTOSO\\svc_crmweb'],
      spnChanges: [
        { action: 'remove', spn: 'HTTP/crm.contoso.test', account: 'NDCRMSRV1$', accountDn: 'CN=NDCRMSRV1,OU=Servers,DC=contoso,DC=test' },
        { action: 'add', spn: 'HTTP/crm.contoso.test', account: 'CONTOSO\\svc_crmweb', accountDn: 'CN=svc_crmweb,OU=Service Accounts,DC=contoso,DC=test' },
      ],
    },
    certainty: 0.9,
    subject: 'HTTP/crm.contoso.test',
    references: ['seed 000: KB 2642455', 'seed 002: Kerberos in load balanced environments'],
    ...o,
  };
}

const kernelMode = aFinding({
  ruleId: 'kernel-mode-without-app-pool-credentials',
  severity: 'high',
  title: 'Kernel-mode authentication decrypts tickets with the computer account, but the SPN is on the app-pool account',
  why: 'With useKernelMode=true and useAppPoolCredentials=false, http.sys uses NDCRMSRV1$’s key; tickets for HTTP/crm on svc_crmweb cannot be decrypted.',
  evidence: ['useKernelMode: true', 'useAppPoolCredentials: false', 'providers: Negotiate, NTLM'],
  fix: {
    summary: 'Let http.sys use the app-pool credentials (run on each CRM server)',
    commands: [
      'appcmd.exe set config "Microsoft Dynamics CRM" -section:system.webServer/security/authentication/windowsAuthentication /useAppPoolCredentials:"True" /commit:apphost',
      'iisreset /noforce',
    ],
  },
  subject: 'Microsoft Dynamics CRM',
});

const shortName = aFinding({
  ruleId: 'spn-missing-short-name',
  severity: 'medium',
  title: 'HTTP/crm (the short name) is not registered',
  why: 'Users who type http://crm make the browser ask for HTTP/crm; without it the KDC answers KDC_ERR_S_PRINCIPAL_UNKNOWN and the browser falls back to NTLM.',
  evidence: ['HTTP/crm: no account holds it', 'HTTP/crm.contoso.test: held by svc_crmweb'],
  fix: { summary: 'Register the short-name SPN on the app-pool account', commands: ['setspn -S HTTP/crm CONTOSO\\svc_crmweb'], spnChanges: [{ action: 'add', spn: 'HTTP/crm', account: 'CONTOSO\\svc_crmweb' }] },
  subject: 'HTTP/crm',
  certainty: 0.8,
});

const clockUnknown = aFinding({
  ruleId: 'clock-skew',
  severity: 'high',
  status: 'unknown',
  title: 'Clock skew between the web server and the DC could not be measured',
  why: 'Kerberos rejects tickets when clocks differ by more than 5 minutes (KRB_AP_ERR_SKEW).',
  evidence: ['DC currentTime: 2026-11-21T23:50:00Z', 'Web server Date: (no answer)'],
  fix: { summary: 'Compare the clocks by hand', commands: ['w32tm /stripchart /computer:dc1.contoso.test /samples:3 /dataonly'] },
  missing: ['the web server’s Date header (the probe timed out)'],
  certainty: 0.3,
  subject: 'crm.contoso.test',
});

const passed = [
  { ruleId: 'negotiate-not-offered', title: 'Negotiate is offered' },
  { ruleId: 'keepalive-disabled', title: 'Keep-alive is on' },
  { ruleId: 'dns-cname-target', title: 'No CNAME in the way' },
  { ruleId: 'spn-port-mismatch', title: 'No port in the SPNs' },
];

export function aWhy401(o: Partial<Why401Result> = {}): Why401Result {
  return {
    kind: 'why-401',
    url: 'http://crm.contoso.test/',
    canonicalHost: 'crm.contoso.test',
    expectedSpns: ['HTTP/crm.contoso.test', 'HTTP/crm'],
    inferred: ['identity CONTOSO\\svc_crmweb from the inventory (krbops.yaml)', 'computer NDCRMSRV1$ from DNS'],
    findings: [aFinding(), kernelMode, shortName, clockUnknown],
    passed,
    verdict: 'HTTP/crm.contoso.test is registered on the computer account NDCRMSRV1$ while the CRM app pool runs as CONTOSO\\svc_crmweb behind the NLB.',
    durationMs: 812,
    collectorErrors: [],
    ...o,
  };
}

/** Every why-401 fixture, by name. */
export const why401Fixtures: Record<string, Why401Result> = {
  'why-401-spn-wrong-account': aWhy401(),
  // Issue 10: the Kerberos exchange proves the verdict.
  'why-401-verified-authenticated': aWhy401({
    findings: [{ ...shortName, severity: 'low', verified: false, evidence: ['Kerberos works for HTTP/crm.contoso.test; users who type the short name ask for HTTP/crm and fall back to NTLM', ...shortName.evidence] }],
    verdict: 'Verified by Kerberos as alice@CONTOSO.TEST: http://crm.contoso.test/ accepts Kerberos (HTTP 200, mutual authentication verified); 1 low-severity finding(s) remain.',
    authentication: { attempted: true, as: 'alice@CONTOSO.TEST', spn: 'HTTP/crm.contoso.test', outcome: 'authenticated', httpStatus: 200, user: 'alice@CONTOSO.TEST' },
  }),
  'why-401-verified-stale-keytab': aWhy401({
    findings: [
      aFinding({
        ruleId: 'keytab-key-version-mismatch',
        title: "The server's keytab is older than the account's password (key version mismatch)",
        verified: true,
        evidence: ['Kerberos exchange (alice@CONTOSO.TEST → HTTP/crm.contoso.test): ticket sent (ticket: rc4-hmac, kvno 3), HTTP 401 with reject KRB_AP_ERR_BADKEYVER (44) from HTTP/crm.contoso.test@CONTOSO.TEST, server time 2026-12-01T15:17:08.000Z', 'The KDC encrypted the ticket with key version 3 of svc_crmweb (the holder of HTTP/crm.contoso.test): the account\'s current password'],
        fix: { summary: 'Make a new keytab for HTTP/crm.contoso.test from svc_crmweb\'s current password (key version 3) and install it on the server.', commands: ['klist get HTTP/crm.contoso.test', 'Get-ADUser svc_crmweb -Properties msDS-KeyVersionNumber,pwdLastSet'] },
      }),
    ],
    verdict: "Cause verified by Kerberos: the server's keytab is older than the account's password (key version mismatch) — HTTP/crm.contoso.test.",
    authentication: { attempted: true, as: 'alice@CONTOSO.TEST', spn: 'HTTP/crm.contoso.test', outcome: 'rejected', httpStatus: 401, kerberosError: { code: 44, name: 'KRB_AP_ERR_BADKEYVER' } },
  }),
  'why-401-duplicate-spn': aWhy401({
    url: 'http://crm',
    canonicalHost: 'crm.contoso.test',
    findings: [
      aFinding({
        ruleId: 'spn-duplicate',
        severity: 'critical',
        title: 'HTTP/crm.contoso.test is registered on two accounts',
        why: 'The KDC cannot pick one key to encrypt the ticket; clients fall back or fail with KRB_AP_ERR_MODIFIED.',
        evidence: ['svc_crmweb: CN=svc_crmweb,OU=Service Accounts,DC=contoso,DC=test', 'svc_crmold: CN=svc_crmold,OU=Service Accounts,DC=contoso,DC=test (changed 2026-11-20)'],
        fix: {
          summary: 'Keep the SPN only on the account that runs the service',
          commands: ['setspn -D HTTP/crm.contoso.test CONTOSO\\svc_crmold'],
          spnChanges: [{ action: 'remove', spn: 'HTTP/crm.contoso.test', account: 'CONTOSO\\svc_crmold' }],
        },
      }),
    ],
    verdict: 'HTTP/crm.contoso.test is registered on both svc_crmweb and svc_crmold (duplicate SPN).',
  }),
  'why-401-duplicate-spn-undecided': aWhy401({
    url: 'http://crm.contoso.test/',
    canonicalHost: 'crm.contoso.test',
    findings: [
      aFinding({
        ruleId: 'spn-duplicate',
        severity: 'critical',
        title: 'The same SPN is registered on more than one account',
        subject: 'HTTP/crm.contoso.test',
        why: 'The KDC cannot pick one key to encrypt the ticket; clients fall back or fail with KRB_AP_ERR_MODIFIED.',
        evidence: ['HTTP/crm.contoso.test is held by 3 accounts:', '  CONTOSO\\svc_crmweb (CN=svc_crmweb,OU=Service Accounts,DC=contoso,DC=test)', '  CONTOSO\\svc_crmold (CN=svc_crmold,OU=Service Accounts,DC=contoso,DC=test)', '  CONTOSO\\NDCRMSRV1$ (CN=NDCRMSRV1,OU=Servers,DC=contoso,DC=test)'],
        fix: duplicateSpnFix('HTTP/crm.contoso.test', ['svc_crmweb', 'svc_crmold'].map((n) => ({ account: `CONTOSO\\${n}`, dn: `CN=${n},OU=Service Accounts,DC=contoso,DC=test` })).concat({ account: 'CONTOSO\\NDCRMSRV1$', dn: 'CN=NDCRMSRV1,OU=Servers,DC=contoso,DC=test' })),
      }),
    ],
    verdict: 'HTTP/crm.contoso.test is registered on 3 accounts (duplicate SPN).',
  }),
  'why-401-healthy': aWhy401({
    url: 'https://portal.contoso.test/',
    canonicalHost: 'portal.contoso.test',
    expectedSpns: ['HTTP/portal.contoso.test', 'HTTP/portal'],
    findings: [],
    passed: [...passed, { ruleId: 'spn-duplicate', title: 'No duplicate SPN' }, { ruleId: 'clock-skew', title: 'Clocks agree (0.4 s)' }],
    verdict: 'No Kerberos problem found: the SPNs, the account, DNS, clocks and the server’s Negotiate offer all check out.',
    notApplicable: [{ ruleId: 'delegation-target-missing', title: 'Constrained delegation targets', reason: 'no --backend given' }],
  }),
  'why-401-collector-errors': aWhy401({
    url: 'http://ndcrmsrv2:5555/',
    canonicalHost: undefined,
    expectedSpns: ['HTTP/ndcrmsrv2'],
    inferred: [],
    findings: [clockUnknown, aFinding({ ruleId: 'spn-port-mismatch', severity: 'medium', status: 'unknown', title: 'Whether the browser adds the port could not be decided', missing: ['the client’s KB 908209 setting'], fix: { summary: 'Register both forms if clients differ', commands: ['setspn -S HTTP/ndcrmsrv2:5555 CONTOSO\\svc_crmweb'] } })],
    passed: [],
    verdict: 'Not enough evidence: DNS and the HTTP probe failed.',
    collectorErrors: [
      { collector: 'dns', code: 'ENOTFOUND', message: 'ndcrmsrv2 has no A record on 127.0.0.1:53' },
      { collector: 'http', code: 'PROBE_TIMEOUT', message: 'http://ndcrmsrv2:5555/ did not answer within 4000 ms' },
    ],
  }),
  'why-401-hostile-text': aWhy401({
    url: 'http://crm/<script>alert(1)</script>**bold**_x_[link](http://evil)',
    findings: [
      aFinding({
        title: '**Not bold** <b>not html</b> _not italic_ [not a link](http://evil)',
        evidence: ['x'.repeat(10_000), '<img src=x onerror=alert(1)>: value', '`backticks` and | pipes |'],
        fix: { summary: 'Quote things', commands: ['setspn -S "HTTP/crm" CONTOSO\\svc_*_crm', 'Get-ADUser -Filter * -Properties servicePrincipalName | ? {$_.servicePrincipalName -like "HTTP/*"}'] },
      }),
    ],
  }),
  'why-401-many-findings': aWhy401({
    findings: Array.from({ length: 45 }, (_, i) =>
      aFinding({
        ruleId: `rule-${i}`,
        severity: (['critical', 'high', 'medium', 'low', 'info'] as const)[i % 5],
        title: `Finding number ${i + 1} with a long title that explains what is wrong in detail`,
        evidence: Array.from({ length: 40 }, (_, j) => `Evidence ${j}: ${'HTTP/node' + j + '.contoso.test held by NDCRMSRV' + j + '$ '.repeat(3)}`),
        fix: {
          summary: `Fix number ${i + 1}`,
          commands: Array.from({ length: 25 }, (_, j) => `setspn -S HTTP/node${j}.contoso.test CONTOSO\\svc_crmweb`),
          spnChanges: [{ action: 'add', spn: `HTTP/node${i}.contoso.test`, account: 'CONTOSO\\svc_crmweb' }],
        },
      }),
    ),
  }),
};

const crmAccount = anAccount({
  servicePrincipalName: ['HTTP/crm.contoso.test', 'HTTP/crm', 'HTTP/ndcrmsrv1.contoso.test:5555'],
  allowedToDelegateTo: ['MSSQLSvc/ndsqlsrv1.contoso.test:1433', 'HTTP/ndrptsrv1.contoso.test'],
  userAccountControl: uac(['NORMAL_ACCOUNT', 'DONT_EXPIRE_PASSWORD', 'TRUSTED_TO_AUTH_FOR_DELEGATION'], 16843264),
});

export const spnListFixtures: Record<string, SpnListResult> = {
  'spn-list-service-account': { kind: 'spn-list', server: 'ldaps://dc1.contoso.test:636', account: crmAccount, spns: crmAccount.servicePrincipalName },
  'spn-list-no-spns': {
    kind: 'spn-list',
    server: 'ldaps://dc1.contoso.test:636',
    account: anAccount({ sAMAccountName: 'jdoe', supportedEncryptionTypes: undefined, encryptionTypeNames: [], protectedUser: true, userAccountControl: uac(['NORMAL_ACCOUNT', 'NOT_DELEGATED', 'ACCOUNTDISABLE'], 1049090) }),
    spns: [],
  },
  'spn-list-many-spns': (() => {
    const spns = Array.from({ length: 1200 }, (_, i) => `HOST/web${i}.farm.contoso.test`);
    const a = anAccount({ sAMAccountName: 'WEBFARM$', kind: 'computer', dNSHostName: 'webfarm.contoso.test', servicePrincipalName: spns, userAccountControl: uac(['WORKSTATION_TRUST_ACCOUNT', 'TRUSTED_FOR_DELEGATION'], 528384) });
    return { kind: 'spn-list', server: 'ldaps://dc2.contoso.test:636', account: a, spns } as SpnListResult;
  })(),
};

export const spnQueryFixtures: Record<string, SpnQueryResult> = {
  'spn-query-single': { kind: 'spn-query', server: 'ldaps://dc1.contoso.test:636', spn: 'HTTP/crm.contoso.test', accounts: [{ ...ref('svc_crmweb'), matched: 'HTTP/crm.contoso.test', via: 'exact' }], duplicate: false },
  'spn-query-duplicate': queryResult('ldaps://dc1.contoso.test:636', 'HTTP/crm.contoso.test', [
    { ...ref('svc_crmweb'), matched: 'HTTP/crm.contoso.test', via: 'exact' },
    { ...ref('svc_crmold', { disabled: true }), matched: 'http/CRM.contoso.test', via: 'exact' },
    { ...ref('NDCRMSRV1$'), matched: 'HOST/crm.contoso.test', via: 'alias' },
  ]),
  'spn-query-none': { kind: 'spn-query', server: 'ldaps://dc1.contoso.test:636', spn: 'HTTP/nowhere.contoso.test', accounts: [], duplicate: false },
  'spn-query-alias-only': { kind: 'spn-query', server: 'ldaps://dc1.contoso.test:636', spn: 'HTTP/ndrptsrv1.contoso.test', accounts: [{ ...ref('NDRPTSRV1$'), matched: 'HOST/NDRPTSRV1.contoso.test', via: 'alias' }], duplicate: false },
};

export const spnDupesFixtures: Record<string, SpnDupesResult> = {
  'spn-dupes-clean': { kind: 'spn-dupes', server: 'ldaps://dc1.contoso.test:636', duplicates: [], aliasCollisions: [], allowList: ['kadmin/changepw'], scanned: { accounts: 1412, spns: 5210 }, durationMs: 930 },
  'spn-dupes-found': {
    kind: 'spn-dupes',
    server: 'ldaps://dc1.contoso.test:636',
    duplicates: [
      withFix({ spn: 'HTTP/crm.contoso.test', accounts: [ref('svc_crmweb'), ref('svc_crmold', { disabled: true })] }),
      withFix({ spn: 'MSSQLSvc/ndsqlsrv1.contoso.test:1433', accounts: [ref('svc_sql'), ref('NDSQLSRV1$')] }),
    ],
    aliasCollisions: [{ spn: 'HTTP/ndcrmsrv2.contoso.test', aliasOf: 'HOST/ndcrmsrv2.contoso.test', serviceAccounts: [ref('svc_crmweb')], hostAccounts: [ref('NDCRMSRV2$')] }],
    allowList: ['kadmin/changepw'],
    scanned: { accounts: 1412, spns: 5210 },
    durationMs: 1204,
  },
  'spn-dupes-huge': {
    kind: 'spn-dupes',
    server: 'ldaps://dc1.contoso.test:636',
    duplicates: Array.from({ length: 3000 }, (_, i) => withFix({ spn: `HTTP/app${i}.contoso.test`, accounts: [ref(`svc_app${i}`), ref(`svc_app${i}_old`)] })),
    aliasCollisions: [],
    allowList: [],
    scanned: { accounts: 60000, spns: 240000 },
    durationMs: 18000,
  },
};

export const errorFixtures: Record<string, ErrorResult> = {
  'error-directory-down': {
    kind: 'error',
    code: 'DIRECTORY_UNAVAILABLE',
    message: 'No domain controller answered: ldaps://dc1.contoso.test:636 (ECONNREFUSED), ldaps://dc2.contoso.test:636 (timed out after 5000 ms)',
    details: { servers: ['ldaps://dc1.contoso.test:636', 'ldaps://dc2.contoso.test:636'] },
  },
  'error-directory-tls': {
    kind: 'error',
    code: 'DIRECTORY_TLS',
    message: 'ldaps://dc1.contoso.test:636: certificate signed by an unknown CA (UNABLE_TO_VERIFY_LEAF_SIGNATURE)',
    details: { server: 'ldaps://dc1.contoso.test:636' },
  },
  'error-directory-auth': { kind: 'error', code: 'DIRECTORY_AUTH', message: 'ldaps://dc1.contoso.test:636 refused the bind for CONTOSO\\krbops-reader: invalid credentials (49)', details: { server: 'ldaps://dc1.contoso.test:636' } },
  'error-account-not-found': { kind: 'error', code: 'ACCOUNT_NOT_FOUND', message: 'No account matches "svc_crmwbe". Did you mean: svc_crmweb?', details: { query: 'svc_crmwbe', suggestions: ['svc_crmweb'] } },
  'error-usage': {
    kind: 'error',
    code: 'COMMAND_USAGE',
    message: 'Missing <account>.',
    usage: 'Usage: spn list <account>\nList the SPNs and Kerberos facts of an account (setspn -L)\n  <account>  sAMAccountName, DOMAIN\\name, UPN, DN or computer name\nExamples:\n  spn list svc_crmweb\n  spn list CONTOSO\\NDCRMSRV1$',
  },
  'error-config': { kind: 'error', code: 'CONFIG_INVALID', message: 'LDAP_URL: is not set: krbops needs a domain controller (ldaps://dc.example.com:636)', details: { variable: 'LDAP_URL' } },
  'error-internal': { kind: 'error', code: 'INTERNAL', message: 'Internal error in krbops; the details are in the bot log.', details: { ref: '3f2a9c1d' } },
};

export const explainFixtures: Record<string, ExplainResult> = {
  'explain-krb-ap-err-modified': explainText(
    'The kerberos client received a KRB_AP_ERR_MODIFIED error from the server host/ndcrmsrv1. The target name used was HTTP/crm.contoso.test. This indicates that the target server failed to decrypt the ticket provided by the client.',
  ),
  'explain-401-1': explainText('HTTP Error 401.1 - Unauthorized: Access is denied due to invalid credentials.'),
  'explain-nothing-recognised': explainText('the printer is on fire'),
};

const adfsCert = (o: Partial<AdfsCheckResult['certificates'][number]> = {}): AdfsCheckResult['certificates'][number] => ({
  source: 'https://adfs.contoso.test/FederationMetadata/2007-06/FederationMetadata.xml',
  use: 'signing',
  uses: ['signing'],
  subject: 'CN=ADFS Signing - adfs.contoso.test',
  issuer: 'CN=ADFS Signing - adfs.contoso.test',
  thumbprint: 'AB'.repeat(20),
  sha256: 'CD'.repeat(32),
  serialNumber: '1A2B3C',
  notBefore: '2025-11-26T00:00:00.000Z',
  notAfter: '2026-11-26T00:00:00.000Z',
  daysLeft: 5,
  expired: false,
  roles: ['IDPSSODescriptor', 'RoleDescriptor (SecurityTokenServiceType)'],
  primary: true,
  ...o,
});

const adfsSource = 'https://adfs.contoso.test/FederationMetadata/2007-06/FederationMetadata.xml';

export const adfsFixtures: Record<string, AdfsCheckResult> = {
  'adfs-rollover': {
    kind: 'adfs-check',
    checkedAt: '2026-11-21T23:55:00.000Z',
    sources: [{ source: adfsSource, entityId: 'http://adfs.contoso.test/adfs/services/trust', ok: true, signature: 'verified', signatureDetail: 'by the pinned primary certificate', primaryThumbprint: 'AB'.repeat(20) }],
    certificates: [adfsCert(), adfsCert({ thumbprint: 'EF'.repeat(20), primary: false, notBefore: '2026-11-01T00:00:00.000Z', notAfter: '2027-11-01T00:00:00.000Z', daysLeft: 345 }), adfsCert({ use: 'encryption', uses: ['encryption'], subject: 'CN=ADFS Encryption - adfs.contoso.test', thumbprint: '12'.repeat(20), primary: false, daysLeft: 120 })],
    findings: [
      {
        ...aFinding({
          ruleId: 'adfs-cert-expiring',
          severity: 'high',
          title: 'The AD FS token-signing certificate expires in 5 days',
          why: 'When AutoCertificateRollover promotes the new certificate, relying parties that did not refresh the federation metadata reject every token (KB 2686840).',
          evidence: ['Thumbprint: ' + 'AB'.repeat(20), 'notAfter: 2026-11-26T00:00:00Z'],
          fix: { summary: 'Update the relying party and restart', commands: ['Update-AdfsRelyingPartyTrust -TargetName "CRM"', 'iisreset'] },
          subject: adfsSource,
        }),
        alertKey: `adfs:${adfsSource}:${'AB'.repeat(20)}:expiring:7`,
        source: adfsSource,
        thumbprint: 'AB'.repeat(20),
      },
    ],
  },
  'adfs-unreachable': {
    kind: 'adfs-check',
    checkedAt: '2026-11-21T23:55:00.000Z',
    sources: [{ source: adfsSource, ok: false, signature: 'unsigned', error: { code: 'ADFS_UNAVAILABLE', message: 'adfs.contoso.test:443 did not answer within 10000 ms' } }],
    certificates: [],
    findings: [],
  },
  'adfs-nothing-configured': { kind: 'adfs-check', checkedAt: '2026-11-21T23:55:00.000Z', sources: [], certificates: [], findings: [] },
};

/** A result kind with findings but no dedicated card, and a plain text answer. */
export const genericFixtures = {
  findings: {
    kind: 'future-check',
    findings: [
      aFinding({
        ruleId: 'future-rule',
        severity: 'low',
        title: 'A check added after these cards were written',
        why: 'Cards fall back to the findings layout for any result that carries findings.',
        evidence: ['Seen: something'],
        fix: { summary: 'Do the thing', commands: ['setspn -Q HTTP/*'] },
      }),
    ],
  },
  text: 'KRB_AP_ERR_MODIFIED\n\nThe ticket was encrypted with a key the service does not have.\nCheck: spn query HTTP/crm.contoso.test\n\nLikely rules: spn-duplicate, spn-wrong-account',
};
