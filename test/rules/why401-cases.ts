/**
 * The why-401 catalog's table: one named case per failure mode of the seeds, and healthy
 * configurations that yield no failing finding. Each case lists the exact set of failing rules.
 * Run by rules.test.ts; the catalog meta-test reads it for a firing and a non-firing case per rule.
 */
import type { Evidence, Severity } from '../../src/model/index.js';
import { aComputer, anAccount, anEvidence, contoso, NOW } from './builders.js';
import { A, aCert, aSnapshot, aState, B, opts } from './adfs-builders.js';
import { toAdfsEvidence } from '../../src/adfs/index.js';
import { checkAdfs } from '../../src/rules/catalog/adfs.js';

export interface Expect {
  ruleId: string;
  status?: 'fail' | 'unknown';
  severity?: Severity;
  subject?: string;
  /** Every string must appear in one of the fix commands. */
  commands?: string[];
  /** The fix's conditional blocks, exactly: heading and commands of each (one holder each for a duplicate). */
  alternatives?: { when: string; commands: string[] }[];
  /** The "Keep on …" choices: label and the accounts their change request removes the SPN from. */
  choices?: [string, string[]][];
  /** Every string must appear in one of the evidence lines. */
  evidence?: string[];
  /** Every string must appear in one of the lines naming the missing evidence. */
  missing?: string[];
}

export interface Case {
  name: string;
  evidence: Evidence;
  /** The exact set of failing rule ids (sorted comparison). */
  fails: string[];
  expect?: Expect[];
  /** Rules that must be in `unknown` state. */
  unknowns?: string[];
}

const IIS_KERNEL_NO_APPPOOL = `<system.webServer><security><authentication>
  <windowsAuthentication enabled="true" useKernelMode="true" useAppPoolCredentials="false">
    <providers><add value="Negotiate" /><add value="NTLM" /></providers>
  </windowsAuthentication></authentication></security></system.webServer>`;

const crmweb = contoso.crmweb;

/** The healthy CRM evidence plus an exchange with HTTP/crm.contoso.test as krbops-reader. */
function withExchange(a: Partial<NonNullable<Evidence['authentication']>>): Evidence {
  return { ...anEvidence(), authentication: { attempted: true, as: 'krbops-reader@CONTOSO.TEST', spn: 'HTTP/crm.contoso.test', ...a } };
}
const computers = contoso.computers;

export const cases: Case[] = [
  // ---- seed 000: NLB address, app pool as a domain user, kernel mode ------------------------------
  {
    name: 'reports kernel-mode authentication without useAppPoolCredentials when the SPN is on the app pool domain account (seed 000)',
    evidence: anEvidence({ iis: IIS_KERNEL_NO_APPPOOL, nlbNodes: ['ndcrmsrv1.contoso.test', 'ndcrmsrv2.contoso.test', 'ndcrmsrv3.contoso.test'] }),
    fails: ['kernel-mode-without-app-pool-credentials'],
    expect: [
      {
        ruleId: 'kernel-mode-without-app-pool-credentials',
        severity: 'critical',
        commands: ['%windir%\\system32\\inetsrv\\appcmd.exe set config -section:system.webServer/security/authentication/windowsAuthentication -useAppPoolCredentials:true /commit:apphost', 'iisreset'],
        evidence: ['useKernelMode=true', 'useAppPoolCredentials=false', 'NLB'],
      },
    ],
  },
  {
    name: 'reports kernel mode from IIS defaults when the pasted section does not state the attributes (seed 000)',
    evidence: anEvidence({ iis: '<windowsAuthentication enabled="true"><providers><add value="Negotiate" /></providers></windowsAuthentication>' }),
    fails: ['kernel-mode-without-app-pool-credentials'],
    expect: [{ ruleId: 'kernel-mode-without-app-pool-credentials', evidence: ['(IIS default)'] }],
  },
  {
    name: 'targets the pasted <location> in the appcmd fix (seed 000, applicationHost.config fragment)',
    evidence: anEvidence({
      iis: `<location path="Microsoft Dynamics CRM"><system.webServer><security><authentication>
              <windowsAuthentication enabled="true" useKernelMode="true" useAppPoolCredentials="false" />
            </authentication></security></system.webServer></location>`,
    }),
    fails: ['kernel-mode-without-app-pool-credentials'],
    expect: [{ ruleId: 'kernel-mode-without-app-pool-credentials', commands: ['appcmd.exe set config "Microsoft Dynamics CRM" -section:system.webServer/security/authentication/windowsAuthentication -useAppPoolCredentials:true /commit:apphost'] }],
  },
  {
    name: 'reports an NLB URL whose SPN sits on one node\'s computer account (seed 000)',
    evidence: anEvidence({
      accounts: [anAccount({ sam: 'NDCRMSRV1$', kind: 'computer', dNSHostName: 'ndcrmsrv1.contoso.test', spns: ['HOST/NDCRMSRV1', 'HOST/ndcrmsrv1.contoso.test', 'HTTP/crm.contoso.test', 'HTTP/crm'] }), aComputer('NDCRMSRV2'), aComputer('NDCRMSRV3')],
      identity: 'ApplicationPoolIdentity',
      nlbNodes: ['ndcrmsrv1.contoso.test', 'ndcrmsrv2.contoso.test', 'ndcrmsrv3.contoso.test'],
      iis: '<windowsAuthentication enabled="true" useKernelMode="true" useAppPoolCredentials="false" />',
    }),
    fails: ['spn-wrong-account', 'spn-wrong-account'],
    expect: [
      { ruleId: 'spn-wrong-account', subject: 'HTTP/crm.contoso.test', evidence: ['3 NLB nodes', 'only NDCRMSRV1$ can decrypt'], commands: ['setspn -D HTTP/crm.contoso.test CONTOSO\\NDCRMSRV1$', '-useAppPoolCredentials:true'] },
      { ruleId: 'spn-wrong-account', subject: 'HTTP/crm' },
    ],
  },
  {
    name: 'reports the NLB virtual name without any SPN: register both forms on the service account (seed 000)',
    evidence: anEvidence({ accounts: [anAccount({ sam: 'crmweb' }), ...computers()] }),
    fails: ['spn-missing-fqdn', 'spn-missing-short-name'],
    expect: [
      { ruleId: 'spn-missing-fqdn', severity: 'critical', subject: 'HTTP/crm.contoso.test', commands: ['setspn -S HTTP/crm.contoso.test CONTOSO\\crmweb'] },
      { ruleId: 'spn-missing-short-name', severity: 'medium', subject: 'HTTP/crm', commands: ['setspn -S HTTP/crm CONTOSO\\crmweb'] },
    ],
  },

  // ---- seed 001: CRM 4.0, 401.1, port on the FQDN SPN, duplicates, Negotiate, keep-alive -----------
  {
    name: 'reports an SPN registered with a port on the FQDN form (seed 001)',
    evidence: anEvidence({
      url: 'http://crmport.contoso.test:5555/',
      accounts: [anAccount({ sam: 'crmport', spns: ['HTTP/crmport.contoso.test:5555', 'HTTP/crmport:5555'] }), ...computers()],
      identity: 'crmport',
    }),
    fails: ['spn-port-mismatch', 'spn-port-mismatch'],
    expect: [
      {
        ruleId: 'spn-port-mismatch',
        severity: 'high',
        subject: 'HTTP/crmport.contoso.test:5555',
        commands: ['setspn -S HTTP/crmport.contoso.test CONTOSO\\crmport', 'setspn -D HTTP/crmport.contoso.test:5555 CONTOSO\\crmport'],
      },
      { ruleId: 'spn-port-mismatch', severity: 'medium', subject: 'HTTP/crmport:5555', commands: ['setspn -S HTTP/crmport CONTOSO\\crmport'] },
    ],
  },
  {
    name: 'accepts the port on the short-name form when the no-port forms exist (seed 001)',
    evidence: anEvidence({
      url: 'http://crmport.contoso.test:5555/',
      accounts: [anAccount({ sam: 'crmport', spns: ['HTTP/crmport.contoso.test', 'HTTP/crmport', 'HTTP/crmport:5555'] }), ...computers()],
      identity: 'crmport',
    }),
    fails: [],
  },
  {
    name: 'uses the KDC "server not found" answer as proof for the port case (seed 001)',
    evidence: anEvidence({
      url: 'http://crmport.contoso.test:5555/',
      accounts: [anAccount({ sam: 'crmport', spns: ['HTTP/crmport.contoso.test:5555', 'HTTP/crmport'] }), ...computers()],
      identity: 'crmport',
      kdc: [
        { spn: 'HTTP/crmport.contoso.test', outcome: 'not-found', message: 'Server not found in Kerberos database' },
        { spn: 'HTTP/crmport', outcome: 'ticket', kvno: 2 },
      ],
    }),
    fails: ['spn-port-mismatch'],
    expect: [{ ruleId: 'spn-port-mismatch', evidence: ['The KDC answered "Server not found in Kerberos database" for HTTP/crmport.contoso.test'] }],
  },
  {
    name: 'reports a duplicate SPN and keeps it on the app pool identity (seed 001 event 11, seed 002)',
    evidence: anEvidence({ accounts: [crmweb(), contoso.crmweb2(['HTTP/crm.contoso.test']), ...computers()] }),
    fails: ['spn-duplicate'],
    expect: [
      {
        ruleId: 'spn-duplicate',
        severity: 'critical',
        subject: 'HTTP/crm.contoso.test',
        evidence: ['held by 2 accounts', 'CONTOSO\\crmweb2'],
        commands: ['setspn -D HTTP/crm.contoso.test CONTOSO\\crmweb2'],
      },
    ],
  },
  {
    name: 'reports a duplicate SPN with an identity it infers from the SPN holder by keeping it there (seed 002 setspn -Q)',
    evidence: anEvidence({ identity: null, accounts: [crmweb(), contoso.crmweb2(['HTTP/crm.contoso.test']), ...computers()] }),
    fails: ['spn-duplicate'],
    expect: [{ ruleId: 'spn-duplicate', commands: ['setspn -D HTTP/crm.contoso.test CONTOSO\\crmweb2'] }],
  },
  {
    name: 'reports a duplicate SPN whose app pool identity nobody knows with one setspn -D per holder, each under its own condition',
    evidence: anEvidence({ identity: null, accounts: [anAccount({ sam: 'crmweb', spns: ['HTTP/crm.contoso.test'] }), contoso.crmweb2(['HTTP/crm.contoso.test']), ...computers()] }),
    fails: ['spn-duplicate', 'spn-missing-short-name'],
    expect: [
      {
        ruleId: 'spn-duplicate',
        alternatives: [
          { when: 'If CONTOSO\\crmweb does not run the service:', commands: ['setspn -D HTTP/crm.contoso.test CONTOSO\\crmweb'] },
          { when: 'If CONTOSO\\crmweb2 does not run the service:', commands: ['setspn -D HTTP/crm.contoso.test CONTOSO\\crmweb2'] },
        ],
        choices: [
          ['Keep on CONTOSO\\crmweb', ['CONTOSO\\crmweb2']],
          ['Keep on CONTOSO\\crmweb2', ['CONTOSO\\crmweb']],
        ],
      },
    ],
  },
  {
    name: 'reports Negotiate missing from the 401 challenge (seed 001)',
    evidence: anEvidence({ iis: null, http: { wwwAuthenticate: ['NTLM'], schemes: ['NTLM'] } }),
    fails: ['negotiate-not-offered'],
    unknowns: ['kernel-mode-without-app-pool-credentials'],
    expect: [{ ruleId: 'negotiate-not-offered', severity: 'high', evidence: ['WWW-Authenticate: NTLM'], commands: ["/+\"providers.[@start,value='Negotiate']\""] }],
  },
  {
    name: 'reports Negotiate missing from the pasted IIS providers and merges the probe evidence (seed 001)',
    evidence: anEvidence({
      iis: '<windowsAuthentication enabled="true" useKernelMode="false"><providers><clear /><add value="NTLM" /></providers></windowsAuthentication>',
      http: { wwwAuthenticate: ['NTLM'], schemes: ['NTLM'] },
    }),
    fails: ['negotiate-not-offered'],
    expect: [{ ruleId: 'negotiate-not-offered', subject: 'providers', evidence: ['providers: NTLM', 'WWW-Authenticate: NTLM'] }],
  },
  {
    name: 'reports Windows authentication disabled in IIS, the 401.2 case',
    evidence: anEvidence({ iis: '<windowsAuthentication enabled="false" useAppPoolCredentials="true" />', http: { wwwAuthenticate: [], schemes: [] } }),
    fails: ['negotiate-not-offered'],
    expect: [{ ruleId: 'negotiate-not-offered', subject: 'windowsAuthentication', commands: ['-enabled:true'], evidence: ['enabled="false"', 'no WWW-Authenticate header'] }],
  },
  {
    name: 'reports keep-alives off: Connection: close on the 401 (seed 001)',
    evidence: anEvidence({ http: { connection: 'close', closesConnection: true } }),
    fails: ['keepalive-disabled'],
    expect: [{ ruleId: 'keepalive-disabled', severity: 'high', evidence: ['"Connection: close"'], commands: ['-section:system.webServer/httpProtocol -allowKeepAlive:true /commit:apphost'] }],
  },
  {
    name: 'reports allowKeepAlive="false" in the pasted applicationHost.config (seed 001)',
    evidence: anEvidence({
      iis: `<location path="Default Web Site"><system.webServer>
        <httpProtocol allowKeepAlive="false" />
        <security><authentication><windowsAuthentication enabled="true" useAppPoolCredentials="true" /></authentication></security>
      </system.webServer></location>`,
    }),
    fails: ['keepalive-disabled'],
    expect: [{ ruleId: 'keepalive-disabled', evidence: ['allowKeepAlive="false"'], commands: ['appcmd.exe set config "Default Web Site" -section:system.webServer/httpProtocol -allowKeepAlive:true /commit:apphost'] }],
  },

  // ---- seed 002: load-balanced Kerberos, delegation, DNS, clock skew, user blocked ---------------
  {
    name: 'reports clock skew over 5 minutes between the web server and the DC (seed 002)',
    evidence: anEvidence({ serverOffsetMs: 7 * 60_000 }),
    fails: ['clock-skew'],
    expect: [{ ruleId: 'clock-skew', severity: 'critical', subject: 'web server clock', evidence: ['+7 min 0 s'], commands: ['w32tm /resync /rediscover'] }],
  },
  {
    name: 'tolerates a skew under 5 minutes',
    evidence: anEvidence({ serverOffsetMs: 4 * 60_000 + 30_000 }),
    fails: [],
  },
  {
    name: 'reports the krbops host clock when it is the one that is off',
    evidence: anEvidence({ dcOffsetMs: 10 * 60_000, serverOffsetMs: 10 * 60_000 }),
    fails: ['clock-skew'],
    expect: [{ ruleId: 'clock-skew', subject: 'krbops host clock', severity: 'medium' }],
  },
  {
    name: 'reports a CNAME whose canonical name has no SPN (seed 002, Check DNS)',
    evidence: anEvidence({
      url: 'http://crmalias.contoso.test/',
      cname: 'ndcrmsrv1.contoso.test',
      accounts: [anAccount({ sam: 'crmweb', spns: ['HTTP/crmalias.contoso.test', 'HTTP/crmalias'], trustedForDelegation: true }), ...computers()],
      iis: '<windowsAuthentication enabled="true" useKernelMode="true" useAppPoolCredentials="true" />',
    }),
    fails: ['dns-cname-target'],
    expect: [
      {
        ruleId: 'dns-cname-target',
        severity: 'critical',
        subject: 'HTTP/ndcrmsrv1.contoso.test',
        evidence: ['crmalias.contoso.test → CNAME → ndcrmsrv1.contoso.test', 'HTTP/crmalias.contoso.test (the alias) is registered on CONTOSO\\crmweb', 'resolves to CONTOSO\\NDCRMSRV1$ through HOST/ndcrmsrv1.contoso.test'],
        commands: ['setspn -S HTTP/ndcrmsrv1.contoso.test CONTOSO\\crmweb', 'setspn -S HTTP/ndcrmsrv1 CONTOSO\\crmweb'],
      },
    ],
  },
  {
    name: 'reports a CNAME whose canonical name has no SPN at all (seed 002, Check DNS)',
    evidence: anEvidence({
      url: 'http://crmalias.contoso.test/',
      cname: 'crmfarm.contoso.test',
      accounts: [anAccount({ sam: 'crmweb', spns: ['HTTP/crmalias.contoso.test', 'HTTP/crmalias'], trustedForDelegation: true }), ...computers()],
    }),
    fails: ['dns-cname-target'],
    expect: [{ ruleId: 'dns-cname-target', subject: 'HTTP/crmfarm.contoso.test', evidence: ['no account holds it'], commands: ['setspn -S HTTP/crmfarm.contoso.test CONTOSO\\crmweb', 'setspn -S HTTP/crmfarm CONTOSO\\crmweb'] }],
  },
  {
    name: 'accepts a CNAME whose canonical name carries the SPN (lab: crmalias → ndcrmsrv1)',
    evidence: anEvidence({
      url: 'http://crmalias.contoso.test/',
      cname: 'ndcrmsrv1.contoso.test',
      accounts: [anAccount({ sam: 'crmweb', spns: ['HTTP/crm', 'HTTP/crm.contoso.test', 'HTTP/ndcrmsrv1', 'HTTP/ndcrmsrv1.contoso.test'], trustedForDelegation: true }), ...computers()],
    }),
    fails: [],
  },
  {
    name: 'reports reverse DNS pointing at another name (seed 002, nslookup {ip})',
    evidence: anEvidence({ ptr: { '10.0.0.5': ['ndcrmsrv1.contoso.test'] } }),
    fails: ['dns-reverse-mismatch'],
    expect: [{ ruleId: 'dns-reverse-mismatch', severity: 'low', evidence: ['PTR ndcrmsrv1.contoso.test'], commands: ['Add-DnsServerResourceRecordPtr -ZoneName 0.0.10.in-addr.arpa -Name 5 -PtrDomainName crm.contoso.test.'] }],
  },
  {
    name: 'reports a missing PTR record',
    evidence: anEvidence({ ptr: { '10.0.0.5': [] } }),
    fails: ['dns-reverse-mismatch'],
    expect: [{ ruleId: 'dns-reverse-mismatch', evidence: ['has no PTR record'] }],
  },
  {
    name: 'reports the site account not trusted for delegation to its SQL backend (seed 002 step 4)',
    evidence: anEvidence({
      accounts: [anAccount({ sam: 'crmweb', spns: ['HTTP/crm', 'HTTP/crm.contoso.test'] }), contoso.sqlservice(), ...computers()],
      backends: ['MSSQLSvc/ndsqlsrv1.contoso.test:1433'],
    }),
    fails: ['delegation-not-trusted'],
    unknowns: ['user-not-delegatable'],
    expect: [{ ruleId: 'delegation-not-trusted', severity: 'high', commands: ['Set-ADAccountControl -Identity crmweb -TrustedForDelegation $true'] }],
  },
  {
    name: 'reports constrained delegation that lacks the backend SPN (seed 002, msDS-AllowedToDelegateTo)',
    evidence: anEvidence({
      url: 'http://reports.contoso.test/',
      identity: 'rptservice',
      accounts: [contoso.rptservice(), anAccount({ sam: 'olapservice', spns: ['MSOLAPSvc.3/ndsqlsrv1.contoso.test'] }), contoso.sqlservice(), contoso.alice(), ...computers()],
      backends: ['MSSQLSvc/ndsqlsrv1.contoso.test:1433', 'MSOLAPSvc.3/ndsqlsrv1.contoso.test'],
      user: 'alice',
    }),
    fails: ['delegation-target-missing'],
    expect: [{ ruleId: 'delegation-target-missing', subject: 'MSOLAPSvc.3/ndsqlsrv1.contoso.test', commands: ["Set-ADUser -Identity rptservice -Add @{'msDS-AllowedToDelegateTo'='MSOLAPSvc.3/ndsqlsrv1.contoso.test'}"] }],
  },
  {
    name: 'reports a user marked sensitive and cannot be delegated (seed 002, user delegation blocked)',
    evidence: anEvidence({ accounts: [crmweb(), contoso.sqlservice(), contoso.bob(), ...computers()], backends: ['MSSQLSvc/ndsqlsrv1.contoso.test:1433'], user: 'bob' }),
    fails: ['user-not-delegatable'],
    expect: [{ ruleId: 'user-not-delegatable', subject: 'bob', evidence: ['NOT_DELEGATED'], commands: ['Set-ADUser bob -AccountNotDelegated $false'] }],
  },
  {
    name: 'reports a user in Protected Users (seed 002, user delegation blocked)',
    evidence: anEvidence({ accounts: [crmweb(), contoso.sqlservice(), contoso.carol(), ...computers()], backends: ['MSSQLSvc/ndsqlsrv1.contoso.test:1433'], user: 'carol' }),
    fails: ['user-not-delegatable'],
    expect: [{ ruleId: 'user-not-delegatable', subject: 'carol', evidence: ['Protected Users'], commands: ['Remove-ADGroupMember -Identity "Protected Users" -Members carol -Confirm:$false'] }],
  },
  {
    name: 'reports a backend without its SPN: the ANONYMOUS LOGON double hop (seed 002)',
    evidence: anEvidence({ accounts: [crmweb(), contoso.alice(), ...computers()], backends: ['MSSQLSvc/ndsqlsrv1.contoso.test:1433'], user: 'alice' }),
    fails: ['backend-spn-missing'],
    expect: [{ ruleId: 'backend-spn-missing', subject: 'MSSQLSvc/ndsqlsrv1.contoso.test:1433', evidence: ['ndsqlsrv1.contoso.test is the computer CONTOSO\\NDSQLSRV1$'], commands: ['setspn -S MSSQLSvc/ndsqlsrv1.contoso.test:1433 CONTOSO\\NDSQLSRV1$'] }],
  },
  {
    name: 'reports a duplicated backend SPN',
    evidence: anEvidence({ accounts: [crmweb(), contoso.sqlservice(), anAccount({ sam: 'sqlold', spns: ['MSSQLSvc/ndsqlsrv1.contoso.test:1433'] }), contoso.alice(), ...computers()], backends: ['MSSQLSvc/ndsqlsrv1.contoso.test:1433'], user: 'alice' }),
    fails: ['spn-duplicate'],
    expect: [
      {
        ruleId: 'spn-duplicate',
        subject: 'MSSQLSvc/ndsqlsrv1.contoso.test:1433',
        alternatives: [
          { when: 'If CONTOSO\\sqlservice does not run the service:', commands: ['setspn -D MSSQLSvc/ndsqlsrv1.contoso.test:1433 CONTOSO\\sqlservice'] },
          { when: 'If CONTOSO\\sqlold does not run the service:', commands: ['setspn -D MSSQLSvc/ndsqlsrv1.contoso.test:1433 CONTOSO\\sqlold'] },
        ],
        choices: [
          ['Keep on CONTOSO\\sqlservice', ['CONTOSO\\sqlold']],
          ['Keep on CONTOSO\\sqlold', ['CONTOSO\\sqlservice']],
        ],
      },
    ],
  },
  {
    name: 'reports the SPN answered by the computer\'s HOST/ while the app pool runs as a domain user (seed 002/003)',
    evidence: anEvidence({ url: 'http://ndcrmsrv2.contoso.test/', accounts: [crmweb(), ...computers()] }),
    fails: ['spn-wrong-account', 'spn-wrong-account'],
    expect: [
      { ruleId: 'spn-wrong-account', subject: 'HTTP/ndcrmsrv2.contoso.test', evidence: ['through HOST/ndcrmsrv2.contoso.test'], commands: ['setspn -S HTTP/ndcrmsrv2.contoso.test CONTOSO\\crmweb'] },
      { ruleId: 'spn-wrong-account', subject: 'HTTP/ndcrmsrv2', commands: ['setspn -S HTTP/ndcrmsrv2 CONTOSO\\crmweb'] },
    ],
  },
  {
    name: 'accepts the computer\'s HOST/ SPN when IIS decrypts with the machine key on a single server',
    evidence: anEvidence({ url: 'http://ndcrmsrv2.contoso.test/', accounts: [crmweb(), ...computers()], iis: IIS_KERNEL_NO_APPPOOL }),
    fails: [],
  },
  {
    name: 'reports the SPN registered on another user than the app pool identity',
    evidence: anEvidence({ accounts: [anAccount({ sam: 'crmweb', trustedForDelegation: true }), contoso.crmweb2(['HTTP/crm.contoso.test', 'HTTP/crm']), ...computers()] }),
    fails: ['spn-wrong-account', 'spn-wrong-account'],
    expect: [{ ruleId: 'spn-wrong-account', subject: 'HTTP/crm.contoso.test', severity: 'critical', commands: ['setspn -D HTTP/crm.contoso.test CONTOSO\\crmweb2', 'setspn -S HTTP/crm.contoso.test CONTOSO\\crmweb'] }],
  },
  {
    name: 'reports the KDC "server not found" answer as proof of a missing FQDN SPN',
    evidence: anEvidence({
      accounts: [anAccount({ sam: 'crmweb', spns: ['HTTP/crm'], trustedForDelegation: true }), ...computers()],
      kdc: [
        { spn: 'HTTP/crm.contoso.test', outcome: 'not-found', message: 'Server not found in Kerberos database' },
        { spn: 'HTTP/crm', outcome: 'ticket', kvno: 2 },
      ],
    }),
    fails: ['spn-missing-fqdn'],
    expect: [{ ruleId: 'spn-missing-fqdn', evidence: ['The KDC answered "Server not found in Kerberos database"', 'HTTP/crm is registered on crmweb'], commands: ['setspn -S HTTP/crm.contoso.test CONTOSO\\crmweb'] }],
  },

  // ---- seed 003: IIS 6 app pool as domain user, FQDN and NetBIOS SPNs ----------------------------
  {
    name: 'reports the short-name SPN missing: prompted after 30 minutes (seed 003)',
    evidence: anEvidence({ accounts: [anAccount({ sam: 'crmweb', spns: ['HTTP/crm.contoso.test'], trustedForDelegation: true }), ...computers()] }),
    fails: ['spn-missing-short-name'],
    expect: [{ ruleId: 'spn-missing-short-name', severity: 'medium', subject: 'HTTP/crm', evidence: ['the FQDN works until the browser falls back'], commands: ['setspn -S HTTP/crm CONTOSO\\crmweb'] }],
  },
  {
    name: 'raises the missing short-name SPN to critical when the URL uses the short name (seed 003)',
    evidence: anEvidence({ url: 'http://crm/', accounts: [anAccount({ sam: 'crmweb', spns: ['HTTP/crm.contoso.test'], trustedForDelegation: true }), ...computers()] }),
    fails: ['spn-missing-short-name'],
    expect: [{ ruleId: 'spn-missing-short-name', severity: 'critical', evidence: ['The URL itself uses the short name crm'] }],
  },
  {
    name: 'reports the FQDN SPN missing when only the NetBIOS form is registered (seed 003)',
    evidence: anEvidence({ identity: null, accounts: [anAccount({ sam: 'crmweb', spns: ['HTTP/crm'], trustedForDelegation: true }), ...computers()] }),
    fails: ['spn-missing-fqdn'],
    expect: [{ ruleId: 'spn-missing-fqdn', commands: ['setspn -S HTTP/crm.contoso.test CONTOSO\\crmweb'] }],
  },
  {
    name: 'reports the app pool running as ApplicationPoolIdentity while the SPN is on a user (seed 003 local account case)',
    evidence: anEvidence({ url: 'http://ndcrmsrv1.contoso.test/', identity: 'ApplicationPoolIdentity', accounts: [anAccount({ sam: 'crmweb', spns: ['HTTP/ndcrmsrv1.contoso.test', 'HTTP/ndcrmsrv1'] }), ...computers()], iis: IIS_KERNEL_NO_APPPOOL }),
    fails: ['spn-wrong-account', 'spn-wrong-account', 'kernel-mode-without-app-pool-credentials'],
    expect: [{ ruleId: 'spn-wrong-account', subject: 'HTTP/ndcrmsrv1.contoso.test', commands: ['setspn -D HTTP/ndcrmsrv1.contoso.test CONTOSO\\crmweb', 'setspn -S HTTP/ndcrmsrv1.contoso.test CONTOSO\\NDCRMSRV1$'] }],
  },

  // ---- seed 004: claims-based authentication, ADFS certificate rollover ---------------------------
  {
    name: 'reports ADFS certificate rollover for a claims-based site (seed 004)',
    evidence: anEvidence({
      url: 'https://crm.contoso.test/',
      http: { status: 302, statusText: 'Found', wwwAuthenticate: [], schemes: [], location: 'https://adfs.contoso.test/adfs/ls/?wa=wsignin1.0&wtrealm=https%3a%2f%2fcrm.contoso.test%2f' },
      // The ADFS catalog's own findings: AD FS published a rollover secondary since the last check.
      adfs: (() => {
        const snapshot = aSnapshot([aCert({ thumbprint: A, notAfterDays: 10, primary: true }), aCert({ thumbprint: B, notAfterDays: 365, notBeforeDays: -1 })]);
        return toAdfsEvidence(snapshot, checkAdfs(snapshot, aState({ signing: [A] }), opts({ relyingParties: ['CRM'] })));
      })(),
    }),
    fails: ['claims-auth-certificate-rollover'],
    expect: [{ ruleId: 'claims-auth-certificate-rollover', evidence: ['Token-signing secondary: BBBB', 'adfs-new-signing-cert', 'redirects to ADFS'], commands: ['Update-AdfsRelyingPartyTrust -TargetName "CRM"', 'iisreset', 'Restart-Service adfssrv'] }],
  },
  {
    name: 'answers unknown for a claims-based site when no ADFS metadata is configured (seed 004)',
    evidence: anEvidence({ url: 'https://crm.contoso.test/', http: { status: 302, wwwAuthenticate: [], schemes: [], location: '/adfs/ls/?wa=wsignin1.0' } }),
    fails: [],
    unknowns: ['claims-auth-certificate-rollover'],
  },

  // ---- other failure modes of the catalog -----------------------------------------------------------
  {
    name: 'reports a disabled account holding the SPN',
    evidence: anEvidence({ url: 'http://legacy.contoso.test/', identity: null, accounts: [anAccount({ sam: 'svc-legacy', spns: ['HTTP/legacy.contoso.test', 'HTTP/legacy'], disabled: true }), ...computers()], iis: null }),
    fails: ['spn-holder-disabled', 'spn-holder-disabled'],
    unknowns: ['kernel-mode-without-app-pool-credentials'],
    expect: [{ ruleId: 'spn-holder-disabled', subject: 'HTTP/legacy.contoso.test', evidence: ['svc-legacy is disabled'], commands: ['Enable-ADAccount -Identity svc-legacy', 'setspn -D HTTP/legacy.contoso.test CONTOSO\\svc-legacy'] }],
  },
  {
    name: 'moves the SPN off a disabled holder to the declared identity',
    evidence: anEvidence({ url: 'http://legacy.contoso.test/', identity: 'crmweb', accounts: [crmweb(), anAccount({ sam: 'svc-legacy', spns: ['HTTP/legacy.contoso.test', 'HTTP/legacy'], disabled: true }), ...computers()] }),
    fails: ['spn-holder-disabled', 'spn-holder-disabled', 'spn-wrong-account', 'spn-wrong-account'],
    expect: [{ ruleId: 'spn-holder-disabled', subject: 'HTTP/legacy.contoso.test', commands: ['setspn -D HTTP/legacy.contoso.test CONTOSO\\svc-legacy', 'setspn -S HTTP/legacy.contoso.test CONTOSO\\crmweb'] }],
  },
  {
    name: 'reports an RC4-only service account',
    evidence: anEvidence({ url: 'http://oldapp.contoso.test/', identity: 'svc-rc4', accounts: [anAccount({ sam: 'svc-rc4', spns: ['HTTP/oldapp.contoso.test', 'HTTP/oldapp'], encryptionTypes: 4 }), ...computers()] }),
    fails: ['encryption-types-mismatch'],
    expect: [{ ruleId: 'encryption-types-mismatch', severity: 'medium', evidence: ['msDS-SupportedEncryptionTypes = 4 (RC4-HMAC)'], commands: ['Set-ADUser -Identity svc-rc4 -KerberosEncryptionType AES128,AES256', 'Set-ADAccountPassword -Identity svc-rc4 -Reset'] }],
  },
  {
    name: 'reports a DES-only account as high',
    evidence: anEvidence({ accounts: [anAccount({ sam: 'crmweb', spns: ['HTTP/crm', 'HTTP/crm.contoso.test'], trustedForDelegation: true, useDesKeyOnly: true, encryptionTypes: 3 }), ...computers()] }),
    fails: ['encryption-types-mismatch'],
    expect: [{ ruleId: 'encryption-types-mismatch', severity: 'high', commands: ['Set-ADAccountControl -Identity crmweb -UseDESKeyOnly $false'] }],
  },
  {
    name: 'reports the KDC refusing the encryption type with certainty',
    evidence: anEvidence({ kdc: [{ spn: 'HTTP/crm.contoso.test', outcome: 'etype', message: 'KDC has no support for encryption type' }, { spn: 'HTTP/crm', outcome: 'etype', message: 'KDC has no support for encryption type' }] }),
    fails: ['encryption-types-mismatch'],
  },
  {
    name: 'reports a URL that uses an IP address',
    evidence: anEvidence({ url: 'http://10.0.0.5/', ptr: { '10.0.0.5': ['crm.contoso.test'] } }),
    fails: ['url-ip-address'],
    expect: [{ ruleId: 'url-ip-address', commands: ['krbops krb why-401 http://crm.contoso.test/'] }],
  },
  {
    name: 'reports a disabled affected user',
    evidence: anEvidence({ accounts: [crmweb(), anAccount({ sam: 'dave', disabled: true }), ...computers()], user: 'dave' }),
    fails: ['user-account-disabled'],
    expect: [{ ruleId: 'user-account-disabled', commands: ['Enable-ADAccount -Identity dave'] }],
  },

  // ---- unknowns: missing evidence is stated, never guessed as a failure ----------------------------
  {
    name: 'answers unknown, not failing, for the SPN checks when the directory is down',
    evidence: anEvidence({ directoryDown: true }),
    fails: [],
    unknowns: ['spn-missing-fqdn', 'spn-missing-short-name'],
  },
  {
    // A starved LDAP pool timed the lookups out while the KDC answered (issue 15): in AD "not found" is also
    // the answer for a duplicated SPN (the lab's duplicate HTTP/crm.contoso.test), so it proves no missing SPN.
    name: 'answers unknown, naming the missing directory lookup, when only the KDC said "server not found"',
    evidence: anEvidence({
      directoryDown: true,
      backends: ['MSSQLSvc/ndsqlsrv1.contoso.test:1433'],
      kdc: [
        { spn: 'HTTP/crm.contoso.test', outcome: 'not-found', message: 'Server not found in Kerberos database' },
        { spn: 'HTTP/crm', outcome: 'not-found', message: 'Server not found in Kerberos database' },
        { spn: 'MSSQLSvc/ndsqlsrv1.contoso.test:1433', outcome: 'not-found', message: 'Server not found in Kerberos database' },
      ],
    }),
    fails: [],
    unknowns: ['spn-missing-fqdn', 'spn-missing-short-name', 'backend-spn-missing'],
    expect: [
      {
        ruleId: 'spn-missing-fqdn',
        status: 'unknown',
        subject: 'HTTP/crm.contoso.test',
        evidence: ['The KDC answered "Server not found in Kerberos database" for HTTP/crm.contoso.test'],
        missing: ['who holds HTTP/crm.contoso.test in the directory (the directory was not reachable)', 'no account or more than one account'],
        commands: ['setspn -Q HTTP/crm.contoso.test'],
      },
      { ruleId: 'spn-missing-short-name', status: 'unknown', subject: 'HTTP/crm', missing: ['who holds HTTP/crm in the directory'], commands: ['setspn -Q HTTP/crm'] },
      { ruleId: 'backend-spn-missing', status: 'unknown', subject: 'MSSQLSvc/ndsqlsrv1.contoso.test:1433', missing: ['who holds MSSQLSvc/ndsqlsrv1.contoso.test:1433 in the directory'] },
    ],
  },
  {
    name: 'answers unknown for kernel mode when no IIS config was pasted and the SPN is on a domain account',
    evidence: anEvidence({ iis: null }),
    fails: [],
    unknowns: ['kernel-mode-without-app-pool-credentials'],
    expect: [{ ruleId: 'kernel-mode-without-app-pool-credentials', status: 'unknown', commands: ['appcmd.exe list config -section:system.webServer/security/authentication/windowsAuthentication'] }],
  },
  {
    name: 'answers unknown for Negotiate and keep-alive when the probe failed',
    evidence: anEvidence({ iis: null, http: 'failed', serverOffsetMs: null }),
    fails: [],
    unknowns: ['kernel-mode-without-app-pool-credentials', 'negotiate-not-offered', 'keepalive-disabled', 'clock-skew'],
  },

  // ---- healthy configurations -------------------------------------------------------------------------
  { name: 'healthy: the seed 002 CRM site yields no failing finding', evidence: anEvidence(), fails: [] },
  {
    name: 'healthy: with a SQL backend, unconstrained delegation and an ordinary user',
    evidence: anEvidence({ backends: ['MSSQLSvc/ndsqlsrv1.contoso.test:1433'], user: 'alice' }),
    fails: [],
  },
  {
    name: 'healthy: SSRS with constrained delegation to SQL',
    evidence: anEvidence({ url: 'http://reports.contoso.test/', identity: 'rptservice', accounts: [contoso.rptservice(), contoso.sqlservice(), contoso.alice(), ...computers()], backends: ['MSSQLSvc/ndsqlsrv1.contoso.test:1433'], user: 'alice' }),
    fails: [],
  },
  { name: 'healthy: https, identity inferred from the SPN holder', evidence: anEvidence({ url: 'https://crm.contoso.test/', identity: null }), fails: [] },
  { name: 'healthy: NLB with the SPN on the shared service account and useAppPoolCredentials', evidence: anEvidence({ nlbNodes: ['ndcrmsrv1.contoso.test', 'ndcrmsrv2.contoso.test', 'ndcrmsrv3.contoso.test'] }), fails: [] },
  { name: 'healthy: the site allows anonymous access (200, no challenge)', evidence: anEvidence({ http: { status: 200, statusText: 'OK', wwwAuthenticate: [], schemes: [] } }), fails: [] },
  // What only the Kerberos exchange sees (issue 10): the directory below is healthy.
  {
    name: "reports a keytab older than the account's password from the exchange's KRB_AP_ERR_BADKEYVER",
    evidence: withExchange({ outcome: 'rejected', httpStatus: 401, ticket: { etype: 23, etypeName: 'rc4-hmac', kvno: 3 }, kerberosError: { code: 44, name: 'KRB_AP_ERR_BADKEYVER', from: 'server', serverTime: NOW.toISOString(), serverName: 'HTTP/crm.contoso.test@CONTOSO.TEST' } }),
    fails: ['keytab-key-version-mismatch'],
    expect: [{ ruleId: 'keytab-key-version-mismatch', severity: 'critical', evidence: ['KRB_AP_ERR_BADKEYVER (44)', 'key version 3 of crmweb'], commands: ['klist get HTTP/crm.contoso.test'] }],
  },
  {
    name: 'reports a server that cannot decrypt (KRB_AP_ERR_MODIFIED) when the directory looks right',
    evidence: withExchange({ outcome: 'rejected', httpStatus: 401, ticket: { etype: 18, etypeName: 'aes256-cts-hmac-sha1-96', kvno: 2 }, kerberosError: { code: 41, name: 'KRB_AP_ERR_MODIFIED', from: 'server' } }),
    fails: ['server-cannot-decrypt'],
    expect: [{ ruleId: 'server-cannot-decrypt', evidence: ['the key of crmweb, the only holder of HTTP/crm.contoso.test'] }],
  },
  {
    name: 'reports a reply that does not prove the server (mutual authentication failed)',
    evidence: withExchange({ outcome: 'authenticated', httpStatus: 200, mutual: 'failed', message: 'Decrypt integrity check failed' }),
    fails: ['mutual-authentication-failed'],
    expect: [{ ruleId: 'mutual-authentication-failed', severity: 'high', evidence: ['Decrypt integrity check failed'] }],
  },
  {
    name: "reports the server clock from a KRB_AP_ERR_SKEW reject through 'kerberos-exchange-failed'",
    evidence: withExchange({ outcome: 'rejected', httpStatus: 401, observedAt: NOW.toISOString(), kerberosError: { code: 37, name: 'KRB_AP_ERR_SKEW', from: 'server', serverTime: new Date(NOW.getTime() + 10 * 60_000).toISOString() } }),
    fails: ['kerberos-exchange-failed'],
    expect: [{ ruleId: 'kerberos-exchange-failed', evidence: ['(10.0 min ahead)', 'is 600 s off the krbops host'] }],
  },
  {
    name: "reports a URL host DNS does not know through 'host-unresolvable'",
    evidence: (() => {
      const ev = anEvidence();
      return { ...ev, dns: { ...ev.dns!, ok: false, addresses: [], ptr: [], error: { collector: 'dns' as const, code: 'ENOTFOUND', message: 'crm.contoso.test has no A or AAAA record' } } };
    })(),
    fails: ['host-unresolvable'],
    unknowns: [],
    expect: [{ ruleId: 'host-unresolvable', severity: 'critical', commands: ['nslookup crm.contoso.test'] }],
  },
];

