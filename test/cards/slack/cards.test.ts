import { describe, expect, it } from 'vitest';
import {
  alertCard, changeRequestedCard, changeRequestUnavailableCard, chatExample, chatUsageText, decodeChangeRef, errorCard, helpCard, REQUEST_CHANGE_ACTION, renderResult,
  spnDupesCard, spnListCard, spnQueryCard, textCard, why401Card, workingCard, type ActionsBlock, type SlackReply,
} from '../../../cards/slack/index.js';
import type { AnyCommand } from '../../../commands/types.js';
import { withFix } from '../../../commands/spn-dupes.js';
import { queryResult } from '../../../commands/spn-query.js';
import { findSpnIssues, newIssueAlert } from '../../../src/jobs/duplicates.js';
import { spnIssueFinding as issueFinding } from '../../../src/rules/catalog/watch.js';
import { aFinding, allText, anAccount, anSpnDupes, anSpnList, anSpnQuery, aRef, aWhy401, expectWithinLimits } from './builders.js';

const buttons = (r: SlackReply) =>
  [r, ...r.followUps].flatMap((m) => m.blocks.filter((b): b is ActionsBlock => b.type === 'actions').flatMap((b) => b.elements));

/** Every code block of the reply with the line right above it: no block may hold more than one holder's removal. */
function fencedUnder(r: SlackReply): { heading: string; code: string }[] {
  const out: { heading: string; code: string }[] = [];
  for (const m of [r, ...r.followUps]) {
    for (const b of m.blocks) {
      if (b.type !== 'section') continue;
      const text = b.text?.text ?? "";
      for (const f of text.matchAll(/```([\s\S]*?)```/g)) {
        const before = text.slice(0, f.index).split('\n').filter(Boolean);
        out.push({ heading: before[before.length - 1] ?? '', code: f[1] });
      }
    }
  }
  return out;
}

/** The "Keep on …" buttons with the changes their request carries. */
const keepButtons = (r: SlackReply) =>
  buttons(r)
    .filter((b) => b.action_id.startsWith(`${REQUEST_CHANGE_ACTION}:keep:`))
    .map((b) => ({ label: b.text.text, changes: decodeChangeRef(b.value)!.changes }));

describe('spn list card', () => {
  it('shows the account facts and every SPN', () => {
    const r = spnListCard(anSpnList(['HTTP/crm.contoso.test', 'HTTP/crm']));
    expectWithinLimits(r);
    expect(r.blocks[0]).toMatchObject({ type: 'header', text: { text: 'SPNs of CONTOSO\\svc-crmweb' } });
    const t = allText(r);
    expect(t).toContain('`HTTP/crm.contoso.test`');
    expect(t).toContain('`HTTP/crm`');
    expect(t).toContain('ldaps://dc1.contoso.test:636');
    expect(r.followUps).toEqual([]);
  });

  it('says so when the account has no SPN', () => {
    const r = spnListCard(anSpnList([]));
    expectWithinLimits(r);
    expect(allText(r)).toContain('No SPNs are registered');
  });

  it('summarises 3000 SPNs and carries the rest in follow-ups without cutting or losing one', () => {
    const spns = Array.from({ length: 3000 }, (_, i) => `MSSQLSvc/sql-node-${i}.contoso.test:1433`);
    const r = spnListCard(anSpnList(spns));
    expectWithinLimits(r);
    expect(r.followUps.length).toBeGreaterThan(0);
    expect(allText({ blocks: r.blocks })).toMatch(/…and \d+ more SPNs: the full list follows/);
    const shown = allText(r).match(/`MSSQLSvc\/sql-node-\d+\.contoso\.test:1433`/g) ?? [];
    // Everything is either shown whole or counted in the "not shown in Slack" note.
    const notShown = Number(allText(r).match(/…and (\d+) more SPNs not shown/)?.[1] ?? 0);
    expect(shown.length + notShown).toBe(3000);
    expect(new Set(shown).size).toBe(shown.length);
  });

  it('escapes directory data that looks like a mention', () => {
    const r = spnListCard({ ...anSpnList(['HTTP/<!channel>']), account: anAccount({ sAMAccountName: '<!here>' }) });
    expectWithinLimits(r);
    expect(allText(r)).not.toContain('<!channel>');
  });

  it('describes delegation and encryption settings', () => {
    const r = spnListCard({
      ...anSpnList(['HTTP/crm']),
      account: anAccount({ allowedToDelegateTo: ['MSSQLSvc/sql:1433'], encryptionTypeNames: ['AES128', 'AES256'], protectedUser: true }),
    });
    const t = allText(r);
    expect(t).toContain('constrained to 1 SPN (Kerberos only)');
    expect(t).toContain('AES128, AES256');
    expect(t).toContain('Protected Users');
  });
});

describe('spn query card', () => {
  it('says nobody holds an unregistered SPN', () => {
    const r = spnQueryCard(anSpnQuery());
    expectWithinLimits(r);
    expect(allText(r)).toContain('No account holds');
  });

  it('flags a duplicate with one setspn -D per holder, each under its own heading, and a "Keep on" button each', () => {
    const r = spnQueryCard(
      queryResult('ldaps://dc1.contoso.test:636', 'HTTP/crm.contoso.test', [
        { ...aRef('svc-crmweb'), matched: 'HTTP/crm.contoso.test', via: 'exact' },
        { ...aRef('NDCRMSRV1$'), matched: 'HTTP/crm.contoso.test', via: 'exact' },
      ]),
    );
    expectWithinLimits(r);
    const t = allText(r);
    expect(t).toContain('Duplicate');
    expect(r.text).toContain('DUPLICATE');
    expect(fencedUnder(r)).toEqual([
      { heading: '*If svc-crmweb does not run the service:*', code: 'setspn -D HTTP/crm.contoso.test svc-crmweb' },
      { heading: '*If NDCRMSRV1$ does not run the service:*', code: 'setspn -D HTTP/crm.contoso.test NDCRMSRV1$' },
    ]);
    expect(keepButtons(r)).toEqual([
      { label: 'Keep on svc-crmweb', changes: [{ action: 'remove', spn: 'HTTP/crm.contoso.test', account: 'NDCRMSRV1$', accountDn: 'CN=NDCRMSRV1$,CN=Users,DC=contoso,DC=test' }] },
      { label: 'Keep on NDCRMSRV1$', changes: [{ action: 'remove', spn: 'HTTP/crm.contoso.test', account: 'svc-crmweb', accountDn: 'CN=svc-crmweb,CN=Users,DC=contoso,DC=test' }] },
    ]);
  });

  it('names a HOST/ SPN that answers through sPNMappings', () => {
    const r = spnQueryCard(anSpnQuery({ accounts: [{ ...aRef('NDCRMSRV1$'), matched: 'HOST/crm.contoso.test', via: 'alias' }] }));
    expectWithinLimits(r);
    expect(allText(r)).toContain('via `HOST/crm.contoso.test` (sPNMappings)');
  });
});

describe('spn dupes card', () => {
  it('reports a clean forest', () => {
    const r = spnDupesCard(anSpnDupes());
    expectWithinLimits(r);
    expect(r.blocks[0]).toMatchObject({ type: 'header', text: { text: ':white_check_mark: No duplicate SPNs' } });
    expect(allText(r)).toContain('Scanned 120 accounts, 340 SPNs in 812 ms');
  });

  it('lists duplicates and alias collisions with fixes', () => {
    const r = spnDupesCard(
      anSpnDupes({
        duplicates: [withFix({ spn: 'HTTP/crm.contoso.test', accounts: [aRef('svc-crmweb'), aRef('svc-old'), aRef('svc-older')] })],
        aliasCollisions: [{ spn: 'HTTP/crm', aliasOf: 'HOST/crm', serviceAccounts: [aRef('svc-crmweb')], hostAccounts: [aRef('NDCRMSRV1$')] }],
      }),
    );
    expectWithinLimits(r);
    const t = allText(r);
    expect(r.blocks[0]).toMatchObject({ text: { text: ':red_circle: 1 duplicate SPN, 1 alias collision' } });
    expect(fencedUnder(r)).toEqual(
      ['svc-crmweb', 'svc-old', 'svc-older'].map((a) => ({ heading: `*If ${a} does not run the service:*`, code: `setspn -D HTTP/crm.contoso.test ${a}` })),
    );
    // Each "Keep on" request removes the SPN from the two OTHER holders only.
    expect(keepButtons(r).map((b) => [b.label, b.changes.map((c) => `${c.action} ${c.account}`)])).toEqual([
      ['Keep on svc-crmweb', ['remove svc-old', 'remove svc-older']],
      ['Keep on svc-old', ['remove svc-crmweb', 'remove svc-older']],
      ['Keep on svc-older', ['remove svc-crmweb', 'remove svc-old']],
    ]);
    expect(t).toContain('`HOST/crm` (which answers for it through sPNMappings)');
  });

  it('keeps 800 duplicates within limits, whole, with the rest in follow-ups', () => {
    const duplicates = Array.from({ length: 800 }, (_, i) => withFix({ spn: `HTTP/web${i}.contoso.test`, accounts: [aRef(`svc-a${i}`), aRef(`svc-b${i}`)] }));
    const r = spnDupesCard(anSpnDupes({ duplicates }));
    expectWithinLimits(r);
    expect(r.followUps.length).toBeGreaterThan(0);
    expect(r.followUps.length).toBeLessThanOrEqual(3);
    expect(allText(r)).toMatch(/Run `krbops spn dupes --json`/);
  });
});

describe('duplicate-SPN alert and why-401 finding', () => {
  const owners = ['svc-crmweb', 'svc-old'].map((n) => ({ dn: aRef(n).dn, sAMAccountName: n, spns: ['HTTP/crm.contoso.test'] }));
  const [issue] = findSpnIssues(owners, { allowList: [], mappings: new Map() });

  it('alerts a new duplicate with one setspn -D per holder under its heading, "Keep on" buttons, and no request that removes it from both', () => {
    const r = alertCard(newIssueAlert('DC=contoso,DC=test', { ...issue, since: '2026-11-21T08:00:00.000Z', episode: 0 }, { domain: 'CONTOSO' }));
    expectWithinLimits(r);
    expect(fencedUnder(r)).toEqual(['svc-crmweb', 'svc-old'].map((a) => ({ heading: `*If CONTOSO\\${a} does not run the service:*`, code: `setspn -D HTTP/crm.contoso.test CONTOSO\\${a}` })));
    expect(keepButtons(r).map((b) => [b.label, b.changes.map((c) => c.account)])).toEqual([
      ['Keep on CONTOSO\\svc-crmweb', ['CONTOSO\\svc-old']],
      ['Keep on CONTOSO\\svc-old', ['CONTOSO\\svc-crmweb']],
    ]);
    expect(buttons(r).map((b) => b.text.text)).not.toContain('Request these 2 changes');
  });

  it('shows a why-401 duplicate without a declared identity the same way', () => {
    const f = issueFinding(issue, 'CONTOSO');
    const r = why401Card(aWhy401({ findings: [f] }));
    expectWithinLimits(r);
    expect(fencedUnder(r).filter((x) => x.code.startsWith('setspn -D'))).toHaveLength(2);
    expect(keepButtons(r)).toHaveLength(2);
  });
});

describe('why-401 card', () => {
  it('puts the verdict in the header and each finding in its own section with evidence and fix', () => {
    const r = why401Card(aWhy401());
    expectWithinLimits(r);
    expect(r.blocks[0].type).toBe('header');
    expect((r.blocks[0] as { text: { text: string } }).text.text).toContain('HTTP/crm.contoso.test is not registered');
    const t = allText(r);
    expect(t).toContain(':red_circle: *HIGH* · *The FQDN form of the HTTP SPN is missing*');
    expect(t).toContain('• HTTP/crm.contoso.test: no account holds it');
    expect(t).toContain('```setspn -S HTTP/crm.contoso.test CONTOSO\\svc-crmweb```');
    expect(t).toContain('*Passed:* Clocks agree within 5 minutes, Negotiate is offered');
    expect(t).toContain('734 ms');
  });

  it('adds a "Request this change" button whose value decodes back to the SPN change', () => {
    const r = why401Card(aWhy401());
    const [b] = buttons(r);
    expect(b.text.text).toBe('Request this change');
    expect(b.action_id.startsWith(REQUEST_CHANGE_ACTION)).toBe(true);
    expect(b.action_id.length).toBeLessThanOrEqual(255);
    expect(decodeChangeRef(b.value)).toEqual({
      ruleId: 'spn-missing-fqdn',
      subject: 'HTTP/crm.contoso.test',
      title: 'The FQDN form of the HTTP SPN is missing',
      url: 'http://crm.contoso.test/',
      changes: [{ action: 'add', spn: 'HTTP/crm.contoso.test', account: 'CONTOSO\\svc-crmweb', accountDn: 'CN=CRM Web,OU=Service Accounts,DC=contoso,DC=test' }],
    });
  });

  it('has no button on a finding without SPN changes', () => {
    const r = why401Card(aWhy401({ findings: [aFinding({ ruleId: 'keepalive-disabled', fix: { summary: 'Enable keep-alive', commands: ['appcmd set config /section:httpProtocol /allowKeepAlive:true'] } })] }));
    expect(buttons(r)).toEqual([]);
  });

  it('gives each button a unique action id', () => {
    const r = why401Card(aWhy401({ findings: [aFinding(), aFinding({ ruleId: 'spn-missing-short-name' })] }));
    const ids = buttons(r).map((b) => b.action_id);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
  });

  it('splits a change list too long for one button over several buttons, never dropping one silently', () => {
    const changes = Array.from({ length: 40 }, (_, i) => ({ action: 'remove' as const, spn: `HTTP/web${i}.contoso.test`, account: `CONTOSO\\svc-${'x'.repeat(20)}${i}` }));
    const r = why401Card(aWhy401({ findings: [aFinding({ fix: { summary: 'Remove them', commands: ['…'], spnChanges: changes } })] }));
    expectWithinLimits(r);
    const bs = buttons(r);
    const carried = bs.flatMap((b) => decodeChangeRef(b.value)!.changes);
    const note = Number(allText(r).match(/(\d+) more changes? cannot be requested/)?.[1] ?? 0);
    expect(carried.length + note).toBe(40);
  });

  it('marks undecided findings and says what would decide them', () => {
    const r = why401Card(aWhy401({ findings: [aFinding({ status: 'unknown', missing: ['the IIS configuration (paste appcmd output)'], fix: { summary: '', commands: [] } })] }));
    expectWithinLimits(r);
    expect(allText(r)).toContain(':grey_question: *UNKNOWN*');
    expect(allText(r)).toContain('*Would decide it:* the IIS configuration');
  });

  it('repeats a verdict longer than a header in full below it', () => {
    const verdict = 'The SPN '.concat('is registered on the wrong account because the application pool runs as a domain user while kernel mode is on; '.repeat(3));
    const r = why401Card(aWhy401({ verdict }));
    expectWithinLimits(r);
    expect(allText(r)).toContain(`*Most likely cause:* ${verdict.trim()}`);
  });

  it('keeps sixty findings with long evidence within limits, whole, with follow-ups', () => {
    const findings = Array.from({ length: 60 }, (_, i) =>
      aFinding({ title: `Finding ${i}`, evidence: Array.from({ length: 30 }, (_, j) => `evidence line ${j} of finding ${i} with some words in it`) }),
    );
    const r = why401Card(aWhy401({ findings }));
    expectWithinLimits(r);
    expect(r.followUps.length).toBeGreaterThan(0);
    const titles = allText(r).match(/\*Finding \d+\*/g) ?? [];
    const notShown = Number(allText(r).match(/…and (\d+) more findings not shown/)?.[1] ?? 0);
    expect(titles.length + notShown).toBe(60);
  });

  it('escapes a mention hidden in evidence', () => {
    const r = why401Card(aWhy401({ findings: [aFinding({ evidence: ['Server: <!everyone> IIS/10.0'] })] }));
    expectWithinLimits(r);
    expect(allText(r)).toContain('&lt;!everyone&gt;');
  });

  it('names collectors that failed', () => {
    const r = why401Card(aWhy401({ collectorErrors: [{ collector: 'dns', code: 'PROBE_TIMEOUT', message: 'no answer from 10.0.0.53 in 4 s' }] }));
    expect(allText(r)).toContain('*Could not check:* dns (no answer from 10.0.0.53 in 4 s)');
  });

  it('shows a healthy verdict', () => {
    const r = why401Card(aWhy401({ findings: [], verdict: 'Kerberos looks healthy for crm.contoso.test' }));
    expectWithinLimits(r);
    expect(r.blocks[0]).toMatchObject({ text: { text: ':white_check_mark: Kerberos looks healthy for crm.contoso.test' } });
  });

  it('renders the lab scenario the same way every time', () => {
    expect(why401Card(aWhy401())).toMatchSnapshot();
  });
});

describe('error cards', () => {
  it('answers bad arguments with the usage', () => {
    const r = errorCard({ kind: 'error', code: 'COMMAND_USAGE', message: 'Missing <account>.', usage: 'Usage: spn list <account>\nLists the SPNs of an account.' });
    expectWithinLimits(r);
    expect(allText(r)).toContain(':warning: Missing &lt;account&gt;.');
    expect(allText(r)).toContain('```Usage: spn list &lt;account&gt;');
  });

  it('names the domain controller and the reason when the directory is down', () => {
    const r = errorCard({
      kind: 'error',
      code: 'DIRECTORY_UNAVAILABLE',
      message: 'No domain controller answered: ldaps://127.0.0.1:1 refused the connection (ECONNREFUSED)',
      details: { servers: ['ldaps://127.0.0.1:1'] },
    });
    expectWithinLimits(r);
    const t = allText(r);
    expect(t).toContain('No domain controller answered');
    expect(t).toContain('`ldaps://127.0.0.1:1`');
    expect(t).toContain('ECONNREFUSED');
  });

  it('offers suggestions when an account is not found', () => {
    const r = errorCard({ kind: 'error', code: 'ACCOUNT_NOT_FOUND', message: 'No account matches "svc-crm".', details: { query: 'svc-crm', suggestions: ['svc-crmweb', 'svc-crmsql'] } });
    expectWithinLimits(r);
    expect(allText(r)).toContain('*Did you mean:* `svc-crmweb`, `svc-crmsql`');
  });

  it('never shows an internal error\'s message or stack', () => {
    const r = errorCard({ kind: 'error', code: 'INTERNAL', message: 'TypeError: x is undefined\n    at foo (/app/src/x.ts:1:1)', details: { ref: 'abc123' } });
    expectWithinLimits(r);
    expect(allText(r)).not.toContain('TypeError');
    expect(allText(r)).toContain('abc123');
  });
});

describe('help card', () => {
  const cmd = (path: string[], examples: string[]): AnyCommand => ({
    path,
    summary: `Does ${path.join(' ')}`,
    positionals: [{ name: 'arg', required: true, description: 'the thing' }],
    options: [{ name: 'json', type: 'boolean', description: 'JSON' }, { name: 'identity', type: 'string', valueName: 'account', description: 'who' }],
    examples,
    defaultVisibility: 'ephemeral',
    run: async () => ({ kind: 'x' }),
  });
  const registry = [cmd(['spn', 'list'], ['krbops spn list crmweb', 'krbops spn list crmweb --json']), cmd(['krb', 'why-401'], ['krbops krb why-401 http://crm'])];

  it('lists every command with its chat usage and examples', () => {
    const r = helpCard(registry);
    expectWithinLimits(r);
    const t = allText(r);
    expect(t).toContain('`/spn list &lt;arg&gt; [--identity &lt;account&gt;]`');
    expect(t).toContain('`/spn list crmweb`');
    expect(t).not.toContain('--json');
    expect(t).toContain('`/krb why-401 http://crm`');
    expect(t).toContain('--share');
  });

  it('shows only the group asked for', () => {
    const t = allText(helpCard(registry, { group: 'spn' }));
    expect(t).toContain('/spn list');
    expect(t).not.toContain('/krb why-401 http://crm');
  });
});

describe('other replies', () => {
  it('renders a result of no krbops kind (a test double) as its JSON, within limits', () => {
    const command = { path: ['krb', 'explain'] } as unknown as AnyCommand;
    const result = { kind: 'krb-explain', note: 'KRB_AP_ERR_MODIFIED: the ticket was encrypted with another account\'s key' };
    const r = renderResult(result, command);
    expectWithinLimits(r);
    expect(allText(r)).toContain('KRB_AP_ERR_MODIFIED');
  });

  it('keeps a very long text within limits', () => {
    const r = textCard('/krb explain', Array.from({ length: 3000 }, (_, i) => `line ${i} `.repeat(8)).join('\n'));
    expectWithinLimits(r);
  });

  it('has small working and change-request replies within limits', () => {
    const changes = [{ action: 'add' as const, spn: 'HTTP/crm.contoso.test', account: 'CONTOSO\\svc-crmweb' }];
    for (const r of [workingCard('/spn dupes'), changeRequestedCard({ id: 'CR-1', status: 'pending', changes }), changeRequestUnavailableCard(changes)]) expectWithinLimits(r);
    expect(allText(changeRequestUnavailableCard(changes))).toContain('nothing was recorded');
    expect(allText(changeRequestUnavailableCard(changes))).toContain('setspn -S HTTP/crm.contoso.test CONTOSO\\svc-crmweb');
  });
});

describe('adfs card', () => {
  const cert = (over: Record<string, unknown> = {}) => ({
    use: 'signing',
    uses: ['signing' as const],
    subject: 'CN=ADFS Signing - sts.contoso.test',
    issuer: 'CN=ADFS Signing - sts.contoso.test',
    thumbprint: 'A'.repeat(40),
    sha256: 'B'.repeat(64),
    serialNumber: '01',
    notBefore: '2024-01-01T00:00:00.000Z',
    notAfter: '2025-01-06T00:00:00.000Z',
    daysLeft: 5,
    expired: false,
    roles: ['IDPSSODescriptor'],
    primary: true,
    source: 'https://sts.contoso.test/FederationMetadata/2007-06/FederationMetadata.xml',
    ...over,
  });
  const result = (findings: ReturnType<typeof aFinding>[] = []) =>
    ({
      kind: 'adfs-check',
      checkedAt: '2025-01-01T08:00:00.000Z',
      sources: [{ source: 'https://sts.contoso.test/FederationMetadata/2007-06/FederationMetadata.xml', ok: true, signature: 'verified', primaryThumbprint: 'A'.repeat(40) }],
      certificates: [cert(), cert({ primary: false, thumbprint: 'C'.repeat(40), daysLeft: 360, notAfter: '2026-01-01T00:00:00.000Z' })],
      findings: findings.map((f) => ({ ...f, alertKey: 'k', source: 's' })),
    }) as never;

  it('lists the certificates with thumbprints and days left, and each finding without a request button', () => {
    const r = renderResult(result([aFinding({ ruleId: 'adfs-expiring', title: 'The token-signing certificate expires in 5 days', fix: { summary: 'Renew', commands: ['Update-AdfsCertificate -CertificateType Token-Signing -Urgent'], spnChanges: [] } })]));
    expectWithinLimits(r);
    const t = allText(r);
    expect(r.blocks[0]).toMatchObject({ text: { text: ':red_circle: 1 AD FS certificate problem' } });
    expect(t).toContain(':white_check_mark: signature verified');
    expect(t).toContain(`\`${'A'.repeat(40)}\``);
    expect(t).toContain('5 days left');
    expect(t).toContain('Update-AdfsCertificate');
    expect(buttons(r)).toEqual([]);
  });

  it('says all is well when there is no finding', () => {
    const r = renderResult(result());
    expectWithinLimits(r);
    expect(r.blocks[0]).toMatchObject({ text: { text: ':white_check_mark: AD FS certificates look fine' } });
  });
});

describe('usage as typed in Slack', () => {
  const spec = (path: string[]): AnyCommand => ({ path, summary: '', positionals: [], options: [], examples: [], defaultVisibility: 'ephemeral', run: async () => ({ kind: 'x' }) });
  const registry = [spec(['spn', 'list']), spec(['adfs', 'check'])];

  it('rewrites terminal usage into slash commands and drops terminal-only examples', () => {
    const usage = 'Usage: adfs check [source]\nCheck certificates\nExamples:\n  adfs check\n  adfs check ./FederationMetadata.xml\n  adfs check --json';
    expect(chatUsageText(usage, registry)).toBe('Usage: /krb adfs check [source]\nCheck certificates\nExamples:\n  /krb adfs check');
  });

  it('rewrites the command list of an unknown-command reply', () => {
    expect(chatUsageText('Commands:\n  spn list <account>  — List', registry)).toBe('Commands:\n  /spn list <account>  — List');
  });

  it('turns CLI examples into chat examples', () => {
    expect(chatExample('krbops spn list crmweb', registry[0])).toBe('/spn list crmweb');
    expect(chatExample('adfs check https://sts/x.xml', registry[1])).toBe('/krb adfs check https://sts/x.xml');
    expect(chatExample('adfs check ./x.xml', registry[1])).toBeUndefined();
    expect(chatExample('spn list crmweb --json', registry[0])).toBeUndefined();
  });

  it('lists a command registered under two names once', () => {
    const run = async () => ({ kind: 'x' });
    const a = { ...spec(['adfs', 'check']), run, summary: 'ADFS' };
    const b = { ...a, path: ['krb', 'adfs'] };
    const t = allText(helpCard([a, b]));
    expect(t.match(/ADFS/g)).toHaveLength(1);
    expect(t).toContain('/krb adfs');
  });
});

describe('explain card', () => {
  it('explains each recognised error with causes and next checks, within limits', async () => {
    const { explainText } = await import('../../../src/explain/index.js');
    const r = renderResult(explainText('The kerberos client received a KRB_AP_ERR_MODIFIED error from the server host/ndcrmsrv1. The target name used was HTTP/crm.contoso.com'));
    expectWithinLimits(r);
    const t = allText(r);
    expect(t).toContain('*1. KRB_AP_ERR_MODIFIED*');
    expect(t).toContain('*Possible causes*');
    expect(t).toContain('`/spn query HTTP/crm.contoso.com`');
  });

  it('says when nothing was recognised', async () => {
    const { explainText } = await import('../../../src/explain/index.js');
    const r = renderResult(explainText('the printer is on fire'));
    expectWithinLimits(r);
    expect(r.blocks[0].type).toBe('header');
  });

  it('keeps every example of the command within limits', async () => {
    const { explainText } = await import('../../../src/explain/index.js');
    const { default: krbExplain } = await import('../../../commands/krb-explain.js');
    for (const e of krbExplain.examples) {
      const text = e.replace(/^krb explain /, '').replace(/^"|"$/g, '');
      expectWithinLimits(renderResult(explainText(text)));
    }
  });
});
