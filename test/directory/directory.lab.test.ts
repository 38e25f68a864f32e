/**
 * The directory against a real Samba AD DC (test/lab), bound as an ordinary domain user.
 * Every answer is checked against Samba's own answers (ldapsearch, samba-tool).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type LdapConfig } from '../../src/config.js';
import { type LdapDirectory, openDirectory } from '../../src/directory/ldap-directory.js';
import { AccountNotFoundError, DirectoryAuthError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { startLab } from '../lab/lab.js';
import { attr, labEnv, type Lab } from '../helpers/lab-env.js';

let lab: Lab;
let ldap: LdapConfig;
let dir: LdapDirectory;

beforeAll(async () => {
  lab = await labEnv();
  ldap = loadConfig(lab.env()).ldap!;
  dir = await openDirectory(ldap, silentLogger);
});
afterAll(async () => {
  await dir?.close();
});

const sorted = (xs: string[]) => [...xs].sort((a, b) => a.localeCompare(b));

describe('rootDSE and forest facts', () => {
  it('reads the naming contexts, the NetBIOS domain and the DC clock', async () => {
    const info = await dir.info();
    expect(info.defaultNamingContext).toBe(lab.baseDn);
    expect(info.netbiosDomain).toBe('CONTOSO');
    expect(Math.abs(Date.parse(info.currentTime!) - Date.now())).toBeLessThan(60_000);
    expect(Number(info.highestCommittedUSN)).toBeGreaterThan(0);
    expect(info.invocationId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
  it('reads sPNMappings: http answers through host', async () => {
    expect((await dir.spnMappings()).get('http')).toBe('host');
  });
});

describe('account lookup', () => {
  it.each([
    ['crmweb'],
    ['CONTOSO\\crmweb'],
    ['crmweb@contoso.test'],
    ['CRMWEB'],
  ])('finds crmweb as %s', async (q) => {
    expect((await dir.findAccount(q)).sAMAccountName).toBe('crmweb');
  });

  it('finds a computer with or without $, by FQDN and by DN', async () => {
    const byName = await dir.findAccount('NDCRMSRV1');
    expect(byName.sAMAccountName).toBe('NDCRMSRV1$');
    expect(byName.kind).toBe('computer');
    expect((await dir.findAccount('ndcrmsrv1$')).dn).toBe(byName.dn);
    expect((await dir.findAccount('ndcrmsrv1.contoso.test')).dn).toBe(byName.dn);
    expect((await dir.findAccount(byName.dn)).sAMAccountName).toBe('NDCRMSRV1$');
  });

  it('finds an account whose DN has an escaped comma', async () => {
    const [entry] = await lab.ldapsearch('(sAMAccountName=jsmith)', ['dn']);
    expect((await dir.findAccount(entry.dn)).sAMAccountName).toBe('jsmith');
  });

  it('reads the facts that matter for Kerberos, as ldapsearch sees them', async () => {
    const crmweb = await dir.findAccount('crmweb');
    const [raw] = await lab.ldapsearch('(sAMAccountName=crmweb)', ['servicePrincipalName', 'userAccountControl', 'uSNChanged']);
    expect(crmweb.dn).toBe(raw.dn);
    expect(sorted(crmweb.servicePrincipalName)).toEqual(sorted(attr(raw, 'servicePrincipalName')));
    expect(crmweb.userAccountControl.raw).toBe(Number(attr(raw, 'userAccountControl')[0]));
    expect(crmweb.userAccountControl.trustedForDelegation).toBe(true);
    expect(crmweb.uSNChanged).toBe(attr(raw, 'uSNChanged')[0]);
    expect(crmweb.kind).toBe('user');
    expect(crmweb.domain).toBe('CONTOSO');
  });

  it('decodes sensitive users, Protected Users, constrained delegation, RC4-only, disabled, gMSA and RBCD', async () => {
    expect((await dir.findAccount('bob')).userAccountControl.notDelegated).toBe(true);
    expect((await dir.findAccount('carol')).protectedUser).toBe(true);
    expect((await dir.findAccount('alice')).protectedUser).toBe(false);
    const rpt = await dir.findAccount('rptservice');
    expect(rpt.allowedToDelegateTo.map((s) => s.toLowerCase())).toContain('mssqlsvc/ndsqlsrv1.contoso.test:1433');
    expect(rpt.userAccountControl.trustedToAuthForDelegation).toBe(false);
    const rc4 = await dir.findAccount('svc-rc4');
    expect(rc4.supportedEncryptionTypes).toBe(4);
    expect(rc4.encryptionTypeNames).toEqual(['RC4-HMAC']);
    expect((await dir.findAccount('svc-legacy')).userAccountControl.disabled).toBe(true);
    expect((await dir.findAccount('svc-crmgmsa$')).kind).toBe('gmsa');
    expect((await dir.findAccount('NDSQLSRV1$')).hasResourceBasedDelegation).toBe(true);
  });

  it('answers not found with close matches', async () => {
    const err = await dir.findAccount('crmwe').catch((e) => e);
    expect(err).toBeInstanceOf(AccountNotFoundError);
    expect(err.suggestions).toContain('crmweb');
  });

  it.each([
    ['*)(objectClass=*'],
    ['*'],
    ['svc*'],
    ['crm*'],
    ['\\'],
    ['a\u0000b'],
    ['x'.repeat(10_000)],
    ['CN=*,DC=contoso,DC=test'],
    ['(&(objectClass=user))'],
  ])('treats %j as a literal name that matches nothing', async (q) => {
    expect(await dir.tryFindAccount(q)).toBeUndefined();
    const err = await dir.findAccount(q).catch((e) => e);
    expect(err).toBeInstanceOf(AccountNotFoundError);
    expect(err.message.length).toBeLessThan(400);
  });
});

describe('SPN holders (setspn -Q)', () => {
  it('finds both holders of the duplicate, case-insensitively, exactly as ldapsearch does', async () => {
    const raw = await lab.ldapsearch('(servicePrincipalName=HTTP/crm.contoso.test)', ['sAMAccountName']);
    for (const q of ['HTTP/crm.contoso.test', 'http/CRM.Contoso.TEST']) {
      const holders = await dir.spnHolders(q);
      expect(sorted(holders.map((h) => h.dn))).toEqual(sorted(raw.map((e) => e.dn)));
      expect(sorted(holders.map((h) => h.sAMAccountName))).toEqual(['crmweb', 'crmweb2']);
    }
  });

  it('includes the computer whose HOST/ SPN answers for HTTP/ through sPNMappings', async () => {
    const holders = await dir.spnHolders('HTTP/ndcrmsrv2.contoso.test', { includeAliases: true });
    expect(holders).toEqual([expect.objectContaining({ sAMAccountName: 'NDCRMSRV2$', via: 'alias', matched: expect.stringMatching(/^HOST\/ndcrmsrv2\.contoso\.test$/i) })]);
    expect(await dir.spnHolders('HTTP/ndcrmsrv2.contoso.test')).toEqual([]);
  });

  it('does not expand wildcards a user types', async () => {
    expect((await lab.ldapsearch('(servicePrincipalName=HTTP/*)', ['dn'])).length).toBeGreaterThan(3);
    expect(await dir.spnHolders('HTTP/*')).toEqual([]);
    expect(await dir.spnHolders('*)(servicePrincipalName=*')).toEqual([]);
  });
});

describe('scanning every SPN', () => {
  it('streams exactly the accounts and SPNs ldapsearch returns, whatever the page size', async () => {
    const raw = await lab.ldapsearch('(servicePrincipalName=*)', ['servicePrincipalName']);
    const expected = sorted(raw.flatMap((e) => attr(e, 'servicePrincipalName').map((s) => `${e.dn.toLowerCase()}|${s.toLowerCase()}`)));
    for (const pageSize of [500, 3]) {
      const small = await openDirectory({ ...ldap, pageSize, gcUrl: undefined }, silentLogger);
      try {
        const seen: string[] = [];
        for await (const a of small.scanSpns()) for (const s of a.servicePrincipalName) seen.push(`${a.dn.toLowerCase()}|${s.toLowerCase()}`);
        expect(sorted(seen)).toEqual(expected);
      } finally {
        await small.close();
      }
    }
  });

});

describe('changes, on a lab of its own (the shared lab is read-only by convention)', () => {
  let own: Lab;
  let ownDir: LdapDirectory;
  beforeAll(async () => {
    own = await startLab();
    ownDir = await openDirectory(loadConfig(own.env()).ldap!, silentLogger);
  });
  afterAll(async () => {
    await ownDir?.close();
    await own?.stop();
  });

  it('reads only what changed after a USN, including an account that lost its SPNs', async () => {
    const before = (await ownDir.info()).highestCommittedUSN!;
    await own.addUser('dirtest-usn', { ou: `OU=Service Accounts,${own.baseDn}`, spns: ['HTTP/dirtest-usn.contoso.test'] });
    expect(BigInt((await ownDir.info()).highestCommittedUSN!)).toBeGreaterThan(BigInt(before)); // the watermark is read fresh
    const changed: string[] = [];
    for await (const a of ownDir.changedSince(before)) changed.push(a.sAMAccountName);
    expect(changed).toContain('dirtest-usn');
    expect(changed).not.toContain('crmweb');
    // A changed object that is no account (an OU, a group) is not returned.
    await own.ldbModify(`dn: OU=usn-not-an-account,${own.baseDn}\nchangetype: add\nobjectClass: organizationalUnit\n\n`);
    await own.ldbModify(`dn: CN=usn-group,OU=usn-not-an-account,${own.baseDn}\nchangetype: add\nobjectClass: group\nsAMAccountName: usn-group\n\n`);
    const dns: string[] = [];
    for await (const a of ownDir.changedSince(before)) dns.push(a.dn.toLowerCase());
    expect(dns).toContain(`cn=dirtest-usn,ou=service accounts,${own.baseDn.toLowerCase()}`);
    expect(dns.filter((d) => d.includes('usn-not-an-account'))).toEqual([]);
    await own.removeSpn('dirtest-usn', 'HTTP/dirtest-usn.contoso.test');
    const after: { sam: string; spns: string[] }[] = [];
    for await (const a of ownDir.changedSince(before)) after.push({ sam: a.sAMAccountName, spns: a.servicePrincipalName });
    expect(after.find((a) => a.sam === 'dirtest-usn')?.spns).toEqual([]);
  });

  it('returns every SPN of an account that has 1600 of them', async () => {
    const spns = Array.from({ length: 1600 }, (_, i) => `HTTP/bulk${i}.contoso.test`);
    await own.addUser('dirtest-many', { ou: `OU=Service Accounts,${own.baseDn}`, spns });
    const facts = await ownDir.findAccount('dirtest-many');
    expect(facts.servicePrincipalName).toHaveLength(1600);
    expect(sorted(facts.servicePrincipalName)).toEqual(sorted(spns));
  });
});

describe('binding', () => {
  it('binds with the DN, UPN and DOMAIN\\user forms', async () => {
    for (const bindDn of [lab.bindDn, lab.bindUpn, lab.bindSam]) {
      const d = await openDirectory({ ...ldap, bindDn }, silentLogger);
      expect((await d.findAccount('alice')).sAMAccountName).toBe('alice');
      await d.close();
    }
  });
  it('fails over to the next DC in LDAP_URL when the first is down', async () => {
    const d = await openDirectory({ ...ldap, urls: ['ldaps://127.0.0.1:1', lab.ldapsUrl] }, silentLogger);
    expect((await d.info()).server).toBe(lab.ldapsUrl);
    await d.close();
  });

  it('upgrades ldap:// with StartTLS', async () => {
    const d = await openDirectory({ ...ldap, urls: [lab.ldapUrl] }, silentLogger);
    expect((await d.info()).defaultNamingContext).toBe(lab.baseDn);
    await d.close();
  });
  it('reports wrong credentials as an auth error naming the DC, without the password', async () => {
    const err = await openDirectory({ ...ldap, bindPassword: 'Wrong-Pw-123!' }, silentLogger).catch((e) => e);
    expect(err).toBeInstanceOf(DirectoryAuthError);
    expect(err.message).toContain(lab.ip);
    expect(err.message).not.toContain('Wrong-Pw-123!');
  });
});
