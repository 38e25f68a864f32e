/** Plain result data for the Slack card tests (no I/O). */
import type { AccountFacts, AccountRef, Finding, SpnDupesResult, SpnListResult, SpnQueryResult, Why401Result } from '../../../src/model/index.js';
import { decodeUac } from '../../../src/directory/uac.js';
import { checkReply, type SlackReply } from '../../../cards/slack/index.js';
import { expect } from 'vitest';

export function anAccount(over: Partial<AccountFacts> = {}): AccountFacts {
  return {
    dn: 'CN=CRM Web,OU=Service Accounts,DC=contoso,DC=test',
    sAMAccountName: 'svc-crmweb',
    domain: 'CONTOSO',
    userPrincipalName: 'svc-crmweb@contoso.test',
    kind: 'user',
    objectClass: ['top', 'person', 'organizationalPerson', 'user'],
    servicePrincipalName: ['HTTP/crm.contoso.test', 'HTTP/crm'],
    userAccountControl: decodeUac(0x200),
    allowedToDelegateTo: [],
    hasResourceBasedDelegation: false,
    encryptionTypeNames: [],
    memberOf: [],
    protectedUser: false,
    whenChanged: '2024-03-01T10:00:00.000Z',
    ...over,
  };
}

export function aRef(name: string, over: Partial<AccountRef> = {}): AccountRef {
  return { dn: `CN=${name},CN=Users,DC=contoso,DC=test`, sAMAccountName: name, whenChanged: '2024-03-01T10:00:00.000Z', ...over };
}

export function anSpnList(spns: string[], over: Partial<SpnListResult> = {}): SpnListResult {
  return { kind: 'spn-list', server: 'ldaps://dc1.contoso.test:636', account: anAccount({ servicePrincipalName: spns }), spns, ...over };
}

export function anSpnQuery(over: Partial<SpnQueryResult> = {}): SpnQueryResult {
  return { kind: 'spn-query', server: 'ldaps://dc1.contoso.test:636', spn: 'HTTP/crm.contoso.test', accounts: [], duplicate: false, ...over };
}

export function anSpnDupes(over: Partial<SpnDupesResult> = {}): SpnDupesResult {
  return {
    kind: 'spn-dupes',
    server: 'ldaps://dc1.contoso.test:636',
    duplicates: [],
    aliasCollisions: [],
    allowList: ['kadmin/changepw'],
    scanned: { accounts: 120, spns: 340 },
    durationMs: 812,
    ...over,
  };
}

export function aFinding(over: Partial<Finding> = {}): Finding {
  return {
    ruleId: 'spn-missing-fqdn',
    severity: 'high',
    status: 'fail',
    title: 'The FQDN form of the HTTP SPN is missing',
    why: 'Browsers ask for HTTP/<fqdn>; without it the KDC answers KDC_ERR_S_PRINCIPAL_UNKNOWN and the client falls back to NTLM.',
    evidence: ['HTTP/crm.contoso.test: no account holds it', 'App pool identity: CONTOSO\\svc-crmweb'],
    fix: {
      summary: 'Register the SPN on the app pool identity',
      commands: ['setspn -S HTTP/crm.contoso.test CONTOSO\\svc-crmweb'],
      spnChanges: [{ action: 'add', spn: 'HTTP/crm.contoso.test', account: 'CONTOSO\\svc-crmweb', accountDn: 'CN=CRM Web,OU=Service Accounts,DC=contoso,DC=test' }],
    },
    certainty: 0.9,
    subject: 'HTTP/crm.contoso.test',
    ...over,
  };
}

export function aWhy401(over: Partial<Why401Result> = {}): Why401Result {
  return {
    kind: 'why-401',
    url: 'http://crm.contoso.test/',
    canonicalHost: 'crm.contoso.test',
    expectedSpns: ['HTTP/crm.contoso.test', 'HTTP/crm'],
    inferred: ['identity CONTOSO\\svc-crmweb (holds HTTP/crm)'],
    findings: [aFinding()],
    passed: [{ ruleId: 'clock-skew', title: 'Clocks agree within 5 minutes' }, { ruleId: 'negotiate-not-offered', title: 'Negotiate is offered' }],
    verdict: 'HTTP/crm.contoso.test is not registered: browsers cannot get a Kerberos ticket for crm.contoso.test.',
    durationMs: 734,
    collectorErrors: [],
    ...over,
  };
}

/** Every message of the reply is within Slack's limits. */
export function expectWithinLimits(reply: SlackReply): void {
  expect(checkReply(reply)).toEqual([]);
}

/** All text of a reply (main message and follow-ups), for content assertions. */
export function allText(reply: { blocks: unknown[]; followUps?: { blocks: unknown[] }[] }): string {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'text' && typeof x === 'string') out.push(x);
        else walk(x);
      }
    }
  };
  [reply, ...(reply.followUps ?? [])].forEach((m) => walk(m.blocks));
  return out.join('\n');
}
