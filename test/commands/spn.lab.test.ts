/**
 * `krbops spn list|query|dupes --json` against the Samba lab, compared with ldapsearch's answers.
 * The CLI runs in-process through main() with the lab's environment (ordinary domain user).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { attr, labEnv, type Lab } from '../helpers/lab-env.js';

let lab: Lab;
const saved = { ...process.env };

beforeAll(async () => {
  lab = await labEnv();
  Object.assign(process.env, lab.env());
});
afterAll(() => {
  process.env = saved;
});

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

const key = (s: string) => s.toLowerCase();

describe('krbops spn list', () => {
  it('prints the account and SPNs ldapsearch and samba-tool report', async () => {
    const { code, out } = await cli('spn', 'list', 'crmweb', '--json');
    expect(code).toBe(0);
    const doc = JSON.parse(out);
    const [raw] = await lab.ldapsearch('(sAMAccountName=crmweb)', ['servicePrincipalName']);
    expect(doc.account).toMatchObject({ dn: raw.dn, sAMAccountName: 'crmweb' });
    expect(doc.spns.map(key).sort()).toEqual(attr(raw, 'servicePrincipalName').map(key).sort());
    expect(doc.spns.map(key).sort()).toEqual((await lab.spnList('crmweb')).map(key).sort());
  });

  it('reads like setspn -L in text mode', async () => {
    const { code, out } = await cli('spn', 'list', 'CONTOSO\\crmweb');
    expect(code).toBe(0);
    expect(out).toMatch(/^Registered ServicePrincipalNames for CN=crmweb,/);
    expect(out).toContain('\tHTTP/crm.contoso.test');
    expect(out).toContain('unconstrained (TRUSTED_FOR_DELEGATION)');
  });

  it('answers an unknown account with close matches and exit 2', async () => {
    const { code, err, out } = await cli('spn', 'list', 'crmwe', '--json');
    expect(code).toBe(2);
    expect(JSON.parse(out).error).toMatchObject({ code: 'ACCOUNT_NOT_FOUND' });
    expect(err).toContain('Did you mean: crmweb');
  });

  it('treats an LDAP injection string as a name', async () => {
    const { code, err } = await cli('spn', 'list', '*)(objectClass=*');
    expect(code).toBe(2);
    expect(err).toContain('No account matches "*)(objectClass=*"');
  });
});

describe('krbops spn query', () => {
  it('lists every holder of the SPN, as ldapsearch does', async () => {
    const { code, out } = await cli('spn', 'query', 'http/CRM.contoso.test', '--json');
    expect(code).toBe(0);
    const doc = JSON.parse(out);
    const raw = await lab.ldapsearch('(servicePrincipalName=HTTP/crm.contoso.test)', ['sAMAccountName']);
    expect(doc.spn).toBe('http/CRM.contoso.test');
    expect(doc.duplicate).toBe(true);
    expect(doc.accounts.map((a: { dn: string }) => a.dn).sort()).toEqual(raw.map((e) => e.dn).sort());
  });

  it('gives a duplicate one setspn -D per holder, each under "If <account> does not run the service:", never two in a row', async () => {
    const { code, out } = await cli('spn', 'query', 'HTTP/crm.contoso.test');
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines.filter((l) => /^\s+setspn -D/.test(l)).sort()).toEqual(['  setspn -D HTTP/crm.contoso.test crmweb', '  setspn -D HTTP/crm.contoso.test crmweb2']);
    for (const [i, l] of lines.entries()) {
      if (!/^\s+setspn -D/.test(l)) continue;
      const account = l.trim().split(' ').pop();
      expect(lines[i - 1]).toBe(`If ${account} does not run the service:`);
      expect(lines[i + 1] ?? '').not.toMatch(/^\s+setspn/);
    }
  });

  it('adds the fix to the JSON (one block per holder, a "Keep on" choice each) and keeps the other fields', async () => {
    const doc = JSON.parse((await cli('spn', 'query', 'HTTP/crm.contoso.test', '--json')).out);
    expect(Object.keys(doc).sort()).toEqual(['accounts', 'duplicate', 'fix', 'kind', 'server', 'spn']);
    expect(doc.fix.commands).toEqual([]);
    expect(doc.fix.alternatives.map((a: { when: string; commands: string[] }) => [a.when, a.commands]).sort()).toEqual([
      ['If crmweb does not run the service:', ['setspn -D HTTP/crm.contoso.test crmweb']],
      ['If crmweb2 does not run the service:', ['setspn -D HTTP/crm.contoso.test crmweb2']],
    ]);
    expect(doc.fix.choices.map((c: { label: string; spnChanges: { account: string }[] }) => [c.label, c.spnChanges.map((x) => x.account)]).sort()).toEqual([
      ['Keep on crmweb', ['crmweb2']],
      ['Keep on crmweb2', ['crmweb']],
    ]);
  });

  it('says no such SPN for one nobody holds, and exit 0', async () => {
    const { code, out } = await cli('spn', 'query', 'HTTP/nowhere.contoso.test');
    expect(code).toBe(0);
    expect(out).toContain('No such SPN found.');
  });
});

describe('krbops spn dupes', () => {
  it('finds exactly the duplicates ldapsearch shows, and the HOST/ alias collisions', async () => {
    const { code, out } = await cli('spn', 'dupes', '--json');
    expect(code).toBe(0);
    const doc = JSON.parse(out);
    // Ground truth: every (account, SPN) pair ldapsearch returns, grouped case-insensitively.
    const raw = await lab.ldapsearch('(servicePrincipalName=*)', ['servicePrincipalName']);
    const holders = new Map<string, Set<string>>();
    for (const e of raw) for (const s of attr(e, 'servicePrincipalName')) holders.set(key(s), (holders.get(key(s)) ?? new Set()).add(e.dn));
    const expected = [...holders].filter(([spn, dns]) => dns.size > 1 && spn !== 'kadmin/changepw').map(([spn, dns]) => `${spn}=${[...dns].sort().join('|')}`).sort();
    const got = doc.duplicates.map((d: { spn: string; accounts: { dn: string }[] }) => `${key(d.spn)}=${d.accounts.map((a) => a.dn).sort().join('|')}`).sort();
    expect(got).toEqual(expected);
    expect(got.some((g: string) => g.startsWith('http/crm.contoso.test='))).toBe(true);
    expect(doc.aliasCollisions.map((c: { spn: string }) => key(c.spn))).toContain('http/ndcrmsrv1.contoso.test');
    expect(doc.scanned.accounts).toBe(raw.length);
    // Every duplicate carries its fix: one block per holder, never one that removes it from all.
    for (const d of doc.duplicates) {
      expect(d.fix.commands).toEqual([]);
      expect(d.fix.alternatives.map((a: { commands: string[] }) => a.commands.length)).toEqual(d.accounts.map(() => 1));
      expect(d.fix.choices).toHaveLength(d.accounts.length);
    }
  });

  it('prints each duplicate\'s removals one per holder, under "If <account> does not run the service:"', async () => {
    const { code, out } = await cli('spn', 'dupes');
    expect(code).toBe(0);
    const lines = out.split('\n');
    const removals = lines.map((l, i) => [l, i] as const).filter(([l]) => /^\s+setspn -D/.test(l));
    expect(removals.map(([l]) => l)).toEqual(expect.arrayContaining(['  setspn -D HTTP/crm.contoso.test crmweb', '  setspn -D HTTP/crm.contoso.test crmweb2']));
    for (const [l, i] of removals) {
      expect(lines[i - 1]).toBe(`If ${l.trim().split(' ').pop()} does not run the service:`);
      expect(lines[i + 1] ?? '').not.toMatch(/^\s+setspn -D/);
    }
  });
});
