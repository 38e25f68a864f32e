import { describe, expect, it } from 'vitest';
import {
  baselineAlert,
  BASELINE_LIST_LIMIT,
  diffIssues,
  findSpnIssues,
  fingerprint,
  issueAlertKey,
  newIssueAlert,
  resolvedAlert,
  resolvedAlertKey,
  type RememberedIssue,
} from '../../src/jobs/duplicates.js';
import type { SpnOwner } from '../../src/store/types.js';

const mappings = new Map([
  ['http', 'host'],
  ['cifs', 'host'],
]);
const opts = { allowList: ['kadmin/changepw'], mappings };

function anOwner(sam: string, spns: string[], over: Partial<SpnOwner> = {}): SpnOwner {
  return { dn: `CN=${sam.replace(/\$$/, '')},OU=Svc,DC=contoso,DC=test`, sAMAccountName: sam, whenChanged: '2025-02-01T10:00:00.000Z', spns, ...over };
}

const crm = anOwner('svc-crm', ['HTTP/crm.contoso.test', 'HTTP/crm']);
const old = anOwner('svc-old', ['http/CRM.contoso.test']);
const web01 = anOwner('WEB01$', ['HOST/web01.contoso.test', 'HOST/WEB01']);
const svcWeb = anOwner('svc-web', ['HTTP/web01.contoso.test']);
const krbtgt = anOwner('krbtgt', ['kadmin/changepw']);
const krbtgt2 = anOwner('krbtgt-copy', ['kadmin/changepw']);

const T0 = new Date('2025-03-01T10:00:00.000Z');
const T1 = new Date('2025-03-01T10:15:00.000Z');
const T2 = new Date('2025-03-01T10:30:00.000Z');

describe('findSpnIssues', () => {
  it('reports an SPN registered on two accounts, case-insensitively, with both accounts and their whenChanged', () => {
    const issues = findSpnIssues([crm, old, anOwner('svc-other', ['HTTP/other'])], opts);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ id: 'duplicate|http/crm.contoso.test', kind: 'duplicate', spn: 'HTTP/crm.contoso.test' });
    expect(issues[0].accounts.map((a) => [a.sAMAccountName, a.whenChanged])).toEqual([
      ['svc-crm', '2025-02-01T10:00:00.000Z'],
      ['svc-old', '2025-02-01T10:00:00.000Z'],
    ]);
  });

  it('reports HTTP/x on one account while HOST/x is on another as an alias collision', () => {
    const issues = findSpnIssues([web01, svcWeb], opts);
    expect(issues).toEqual([
      expect.objectContaining({
        id: 'alias|http/web01.contoso.test',
        kind: 'alias',
        spn: 'HTTP/web01.contoso.test',
        aliasOf: 'HOST/web01.contoso.test',
        serviceAccounts: [expect.objectContaining({ sAMAccountName: 'svc-web' })],
        hostAccounts: [expect.objectContaining({ sAMAccountName: 'WEB01$' })],
      }),
    ]);
  });

  it('ignores allow-listed SPNs and an account that holds both HTTP/x and HOST/x', () => {
    expect(findSpnIssues([krbtgt, krbtgt2], opts)).toEqual([]);
    expect(findSpnIssues([anOwner('WEB02$', ['HOST/web02', 'HTTP/web02'])], opts)).toEqual([]);
  });

  it('changes the fingerprint only when the set of accounts changes', () => {
    expect(fingerprint([{ dn: 'CN=A' }, { dn: 'CN=b' }])).toBe(fingerprint([{ dn: 'cn=b' }, { dn: 'cn=a' }]));
    expect(fingerprint([{ dn: 'CN=A' }, { dn: 'CN=b' }])).not.toBe(fingerprint([{ dn: 'CN=A' }, { dn: 'CN=c' }]));
  });
});

describe('diffIssues', () => {
  it('sees a new duplicate once, keeps its first-seen time while it lasts, and resolves it', () => {
    const first = diffIssues({}, findSpnIssues([crm], opts), {}, T0);
    expect(first.appeared).toEqual([]);
    const second = diffIssues(first.current, findSpnIssues([crm, old], opts), first.episodes, T1);
    expect(second.appeared.map((i) => [i.id, i.since, i.episode])).toEqual([['duplicate|http/crm.contoso.test', T1.toISOString(), 0]]);
    const third = diffIssues(second.current, findSpnIssues([crm, old], opts), second.episodes, T2);
    expect(third.appeared).toEqual([]);
    expect(third.current['duplicate|http/crm.contoso.test'].since).toBe(T1.toISOString());
    const fourth = diffIssues(third.current, findSpnIssues([crm], opts), third.episodes, T2);
    expect(fourth.resolved.map((i) => i.id)).toEqual(['duplicate|http/crm.contoso.test']);
    expect(fourth.current).toEqual({});
    expect(fourth.episodes).toEqual({ 'duplicate|http/crm.contoso.test': 1 });
  });

  it('gives a duplicate that comes back a new episode, so it is announced again', () => {
    const a = diffIssues({}, findSpnIssues([crm, old], opts), {}, T0);
    const b = diffIssues(a.current, findSpnIssues([crm], opts), a.episodes, T1);
    const c = diffIssues(b.current, findSpnIssues([crm, old], opts), b.episodes, T2);
    const first = a.appeared[0];
    const again = c.appeared[0];
    expect(again.episode).toBe(1);
    expect(issueAlertKey('s', again)).not.toBe(issueAlertKey('s', first));
    expect(resolvedAlertKey('s', b.resolved[0])).toBe(`dupes:s:resolved:duplicate|http/crm.contoso.test#0`);
  });

  it('reports a duplicate that spread to a third account as changed', () => {
    const a = diffIssues({}, findSpnIssues([crm, old], opts), {}, T0);
    const b = diffIssues(a.current, findSpnIssues([crm, old, anOwner('svc-new', ['HTTP/crm.contoso.test'])], opts), a.episodes, T1);
    expect(b.appeared).toEqual([]);
    expect(b.changed.map((i) => i.accounts.length)).toEqual([3]);
    expect(b.changed[0].since).toBe(T0.toISOString());
  });

  it('computes the same alert keys when a run is repeated from the same previous state', () => {
    const base = diffIssues({}, findSpnIssues([crm], opts), {}, T0);
    const once = diffIssues(base.current, findSpnIssues([crm, old], opts), base.episodes, T1);
    const again = diffIssues(base.current, findSpnIssues([crm, old], opts), base.episodes, T2);
    expect(issueAlertKey('s', again.appeared[0])).toBe(issueAlertKey('s', once.appeared[0]));
  });
});

describe('alerts', () => {
  const scope = 'DC=contoso,DC=test';
  const [dup] = diffIssues({}, findSpnIssues([crm, old], opts), {}, T0).appeared as RememberedIssue[];

  it('names the accounts, their whenChanged and one setspn -D per holder, each under its own condition, in a new-duplicate alert', () => {
    const a = newIssueAlert(scope, dup, { domain: 'CONTOSO' });
    expect(a.title).toBe('New duplicate SPN: HTTP/crm.contoso.test');
    expect(a.severity).toBe('critical');
    expect(a.text).toContain('CONTOSO\\svc-old (CN=svc-old,OU=Svc,DC=contoso,DC=test), changed 2025-02-01T10:00:00.000Z');
    // Never one block removing the SPN from every holder: no commands run together, one block per holder.
    const fix = a.findings![0].fix;
    expect(fix.commands).toEqual([]);
    expect(fix.alternatives).toEqual([
      { when: 'If CONTOSO\\svc-crm does not run the service:', commands: ['setspn -D HTTP/crm.contoso.test CONTOSO\\svc-crm'] },
      { when: 'If CONTOSO\\svc-old does not run the service:', commands: ['setspn -D HTTP/crm.contoso.test CONTOSO\\svc-old'] },
    ]);
    expect(a.text).toContain('If CONTOSO\\svc-crm does not run the service:\n  setspn -D HTTP/crm.contoso.test CONTOSO\\svc-crm\nIf CONTOSO\\svc-old');
    // No request that removes it from both; a "Keep on" request per holder removes it from the other one.
    expect(fix.spnChanges).toBeUndefined();
    expect(fix.choices).toEqual([
      { label: 'Keep on CONTOSO\\svc-crm', account: 'CONTOSO\\svc-crm', spnChanges: [{ action: 'remove', spn: 'HTTP/crm.contoso.test', account: 'CONTOSO\\svc-old', accountDn: old.dn }] },
      { label: 'Keep on CONTOSO\\svc-old', account: 'CONTOSO\\svc-old', spnChanges: [{ action: 'remove', spn: 'HTTP/crm.contoso.test', account: 'CONTOSO\\svc-crm', accountDn: crm.dn }] },
    ]);
    expect(a.key).toBe(`dupes:${scope}:new:duplicate|http/crm.contoso.test:${dup.fingerprint}#0`);
  });

  it('offers removing the service SPN for an alias collision, or allow-listing it', () => {
    const [alias] = diffIssues({}, findSpnIssues([web01, svcWeb], opts), {}, T0).appeared;
    const a = newIssueAlert(scope, alias);
    expect(a.title).toBe('New SPN alias collision: HTTP/web01.contoso.test / HOST/web01.contoso.test');
    expect(a.severity).toBe('medium');
    expect(a.findings?.[0].fix.commands).toEqual(['setspn -D HTTP/web01.contoso.test svc-web']);
    expect(a.findings?.[0].fix.summary).toContain('KRBOPS_DUPES_ALLOW');
  });

  it('writes a short resolved note', () => {
    const r = resolvedAlert(scope, dup);
    expect(r).toMatchObject({ title: 'Resolved: HTTP/crm.contoso.test is no longer a duplicate', severity: 'info' });
    expect(r.text).toBe(`HTTP/crm.contoso.test — on svc-crm, svc-old (since ${T0.toISOString()}) is gone.`);
  });

  it('summarises the baseline in one alert and lists at most the first issues', () => {
    const many = Array.from({ length: 25 }, (_, i) => [anOwner(`a${i}`, [`HTTP/app${i}`]), anOwner(`b${i}`, [`HTTP/app${i}`])]).flat();
    const issues = findSpnIssues(many, opts);
    const a = baselineAlert(scope, issues, { accounts: 50, server: 'ldaps://dc1' });
    expect(a.key).toBe(`dupes:${scope}:baseline`);
    expect(a.title).toBe('Duplicate SPN watch started: 25 duplicates, 0 alias collisions');
    expect(a.text).toContain('…and 5 more: run `spn dupes` for the full list.');
    expect(a.findings).toHaveLength(BASELINE_LIST_LIMIT);
    expect(baselineAlert(scope, [], { accounts: 3 }).severity).toBe('info');
  });
});
