/**
 * The Samba AD lab itself: the shared lab answers like the scenario says (read-only checks), and
 * the write helpers work (on a private lab, so the shared one stays as documented).
 */
import { existsSync, readFileSync } from 'node:fs';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labEnv, attr, type Lab } from '../helpers/lab-env.js';
import { run, startLab, ldifModify, parseLdif, encodeDnsRecord, ensureTools, missingTools } from './lab.js';

function tlsHandshake(lab: Lab, opts: { ca?: boolean; servername?: string }): Promise<{ authorized: boolean; error?: string; san?: string }> {
  return new Promise((resolve) => {
    const s = tls.connect({
      host: lab.ip,
      port: 636,
      ca: opts.ca ? readFileSync(lab.caFile) : undefined,
      servername: opts.servername,
      rejectUnauthorized: true,
    });
    s.once('secureConnect', () => {
      const san = s.getPeerCertificate().subjectaltname;
      s.destroy();
      resolve({ authorized: s.authorized, san });
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve({ authorized: false, error: e.code ?? e.message }));
  });
}

describe('the shared Samba AD lab', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await labEnv();
  });

  it('serves LDAPS with a certificate the lab CA verifies, for the IP and dc1.contoso.test', async () => {
    const byIp = await tlsHandshake(lab, { ca: true });
    expect(byIp).toMatchObject({ authorized: true });
    expect(byIp.san).toContain(`IP Address:${lab.ip}`);
    expect(await tlsHandshake(lab, { ca: true, servername: 'dc1.contoso.test' })).toMatchObject({ authorized: true });
  });

  it('fails TLS verification without the lab CA (nobody needs to turn verification off)', async () => {
    const r = await tlsHandshake(lab, { ca: false });
    expect(r.authorized).toBe(false);
    expect(r.error).toMatch(/SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY/);
  });

  it('binds krbops-reader over LDAPS with CA verification, and it is an ordinary user', async () => {
    const [me] = await lab.ldapsearch(`(sAMAccountName=krbops-reader)`, ['memberOf', 'adminCount', 'userAccountControl', 'primaryGroupID']);
    expect(me.dn).toBe(lab.bindDn);
    expect(attr(me, 'memberOf')).toEqual([]);
    expect(attr(me, 'adminCount')).toEqual([]);
    expect(attr(me, 'primaryGroupID')).toEqual(['513']); // Domain Users
    // the same bind works with the DN and with DOMAIN\user
    for (const who of [lab.bindDn, lab.bindSam]) {
      const r = await run('ldapsearch', ['-LLL', '-x', '-H', lab.ldapsUrl, '-D', who, '-w', lab.bindPassword, '-b', '', '-s', 'base', 'defaultNamingContext'], {
        env: { ...process.env, LDAPTLS_CACERT: lab.caFile, LDAPTLS_REQCERT: 'demand' },
      });
      expect(r.stdout).toContain(`defaultNamingContext: ${lab.baseDn}`);
    }
  });

  it('refuses a simple bind in clear text on 389 and accepts it after StartTLS', async () => {
    const args = ['-LLL', '-x', '-H', lab.ldapUrl, '-D', lab.bindUpn, '-w', lab.bindPassword, '-b', '', '-s', 'base', 'defaultNamingContext'];
    const env = { ...process.env, LDAPTLS_CACERT: lab.caFile, LDAPTLS_REQCERT: 'demand' };
    const clear = await run('ldapsearch', args, { env });
    expect(clear.ok).toBe(false);
    expect(clear.stderr).toMatch(/Strong\(er\) authentication required \(8\)/);
    const startTls = await run('ldapsearch', ['-ZZ', ...args], { env });
    expect(startTls.stdout).toContain(`defaultNamingContext: ${lab.baseDn}`);
  });

  it('shows the duplicate SPN on crmweb and crmweb2 in ldapsearch, case-insensitively', async () => {
    const holders = await lab.ldapsearch('(servicePrincipalName=http/CRM.contoso.test)', ['sAMAccountName']);
    expect(holders.map((e) => attr(e, 'sAMAccountName')[0]).sort()).toEqual(['crmweb', 'crmweb2']);
  });

  it('holds the scenario accounts as documented, and samba-tool agrees with ldapsearch', async () => {
    const spnsOf = async (sam: string) => attr((await lab.ldapsearch(`(sAMAccountName=${sam})`, ['servicePrincipalName']))[0], 'servicePrincipalName').sort();
    expect(await spnsOf('crmweb')).toEqual(['HTTP/crm', 'HTTP/crm.contoso.test', 'HTTP/ndcrmsrv1', 'HTTP/ndcrmsrv1.contoso.test']);
    expect(await spnsOf('crmport')).toEqual(['HTTP/crmport.contoso.test:5555', 'HTTP/crmport:5555']);
    // as Windows registers them, case kept (Samba's alias check would lower-case them: scenario-raw.ldif)
    expect(await spnsOf('NDCRMSRV1$')).toEqual(['HOST/NDCRMSRV1', 'HOST/ndcrmsrv1.contoso.test', 'RestrictedKrbHost/NDCRMSRV1', 'RestrictedKrbHost/ndcrmsrv1.contoso.test']);
    for (const sam of ['crmweb', 'crmweb2', 'sqlservice', 'rptservice', 'NDCRMSRV1$']) {
      expect((await lab.spnList(sam)).sort()).toEqual(await spnsOf(sam));
    }
    const uac = async (sam: string) => Number(attr((await lab.ldapsearch(`(sAMAccountName=${sam})`, ['userAccountControl']))[0], 'userAccountControl')[0]);
    expect(await uac('crmweb')).toBe(0x80200); // NORMAL_ACCOUNT | TRUSTED_FOR_DELEGATION
    expect(await uac('bob')).toBe(0x100200); // NORMAL_ACCOUNT | NOT_DELEGATED
    expect(await uac('svc-legacy')).toBe(0x202); // ACCOUNTDISABLE
    const [rpt] = await lab.ldapsearch('(sAMAccountName=rptservice)', ['msDS-AllowedToDelegateTo']);
    expect(attr(rpt, 'msDS-AllowedToDelegateTo')).toEqual(['MSSQLSvc/ndsqlsrv1.contoso.test:1433']);
    const [rc4] = await lab.ldapsearch('(sAMAccountName=svc-rc4)', ['msDS-SupportedEncryptionTypes']);
    expect(attr(rc4, 'msDS-SupportedEncryptionTypes')).toEqual(['4']);
    const [carol] = await lab.ldapsearch('(sAMAccountName=carol)', ['memberOf']);
    expect(attr(carol, 'memberOf')).toEqual([`CN=Protected Users,CN=Users,${lab.baseDn}`]);
    const [sql] = await lab.ldapsearch('(sAMAccountName=NDSQLSRV1$)', ['msDS-AllowedToActOnBehalfOfOtherIdentity']);
    expect(attr(sql, 'msDS-AllowedToActOnBehalfOfOtherIdentity')).toHaveLength(1);
    const [gmsa] = await lab.ldapsearch('(sAMAccountName=svc-crmgmsa$)', ['objectClass']);
    expect(attr(gmsa, 'objectClass')).toContain('msDS-GroupManagedServiceAccount');
    const [smith] = await lab.ldapsearch('(sAMAccountName=jsmith)', ['cn']);
    expect(smith.dn).toBe(`CN=Smith\\, John,CN=Users,${lab.baseDn}`);
  });

  it('answers on the Global Catalog (3269, TLS) for the forest', async () => {
    const gc = await lab.ldapsearch('(servicePrincipalName=MSSQLSvc/*)', ['sAMAccountName'], { url: lab.gcUrl, base: '' });
    expect(gc.map((e) => attr(e, 'sAMAccountName')[0])).toEqual(['sqlservice']);
  });

  it('publishes sPNMappings (HOST answers for HTTP) in the configuration partition', async () => {
    const [ds] = await lab.ldapsearch('(sPNMappings=*)', ['sPNMappings'], { base: `CN=Configuration,${lab.baseDn}` });
    expect(attr(ds, 'sPNMappings')[0]).toMatch(/^host=.*\bhttp\b/);
  });

  it('issues a service ticket for HTTP/reports.contoso.test to krbops-reader (kvno)', async () => {
    const r = await lab.kvno(`HTTP/reports.contoso.test@${lab.realm}`);
    expect(r).toMatchObject({ ok: true, exitCode: 0 });
    expect(r.text).toMatch(/^HTTP\/reports\.contoso\.test@CONTOSO\.TEST: kvno = \d+$/);
  });

  it('answers "Server not found in Kerberos database" for an SPN nobody holds, and for the duplicate', async () => {
    const missing = await lab.kvno(`HTTP/nothere.contoso.test@${lab.realm}`);
    expect(missing.ok).toBe(false);
    expect(missing.text).toBe('kvno: Server not found in Kerberos database while getting credentials for HTTP/nothere.contoso.test@CONTOSO.TEST');
    const dup = await lab.kvno('HTTP/crm.contoso.test');
    expect(dup.text).toMatch(/Server not found in Kerberos database/);
    // the port form on the FQDN: a browser asks for HTTP/crmport.contoso.test (no port)
    expect((await lab.kvno('HTTP/crmport.contoso.test')).text).toMatch(/Server not found in Kerberos database/);
    // HOST/ndcrmsrv2 answers for HTTP/ndcrmsrv2 (sPNMappings)
    expect((await lab.kvno('HTTP/ndcrmsrv2.contoso.test')).ok).toBe(true);
  });

  it('resolves the scenario names from the lab DNS (A, CNAME, PTR)', async () => {
    const dns = lab.resolver();
    expect(await dns.resolve4('crm.contoso.test')).toEqual([lab.hosts.crm]);
    expect(await dns.resolve4('ndcrmsrv3.contoso.test')).toEqual([lab.hosts.ndcrmsrv3]);
    expect(await dns.resolve4('dc1.contoso.test')).toEqual([lab.ip]);
    expect(await dns.resolveCname('crmalias.contoso.test')).toEqual(['ndcrmsrv1.contoso.test']);
    expect(await dns.reverse(lab.hosts.reports)).toEqual(['reports.contoso.test']);
    await expect(dns.resolve4('nothere.contoso.test')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('gives krbops a complete environment', () => {
    const env = lab.env();
    expect(env).toMatchObject({ LDAP_URL: `ldaps://${lab.ip}:636`, LDAP_CA_FILE: lab.caFile, KRBOPS_DNS_SERVERS: lab.ip });
    expect(env.LDAP_BIND_DN).not.toMatch(/Administrator/i);
    expect(readFileSync(env.KRB5_CONFIG, 'utf8')).toContain(`kdc = ${lab.ip}`);
  });
});

describe('lab helpers (tools, LDIF, DNS record encoding)', () => {
  it('finds every tool the lab needs on this machine', () => {
    expect(missingTools()).toEqual([]);
  });

  it('fails hard in CI when a tool is missing, naming the apt package', async () => {
    const saved = process.env.CI;
    process.env.CI = 'true';
    try {
      await expect(ensureTools(() => {}, { 'krbops-no-such-samba': 'samba-ad-dc' })).rejects.toThrow(
        'Samba AD lab: krbops-no-such-samba not installed. .ci/run installs them (apt-get install -y samba-ad-dc)',
      );
    } finally {
      if (saved === undefined) delete process.env.CI;
      else process.env.CI = saved;
    }
  });

  it('parses ldapsearch output with base64 and folded values', () => {
    const text = 'dn: CN=a,DC=x\ncn: a\ndescription:: w6ljaGVj\nlong: abc\n def\n\n# refldaps://x\n\ndn:: Q049U21pdGhcLCBKb2huLERDPXg=\ncn: b\n';
    expect(parseLdif(text)).toEqual([
      { dn: 'CN=a,DC=x', attrs: { cn: ['a'], description: ['échec'], long: ['abcdef'] } },
      { dn: 'CN=Smith\\, John,DC=x', attrs: { cn: ['b'] } },
    ]);
  });

  it('writes LDIF modifications, base64 where RFC 2849 wants it', () => {
    expect(ldifModify('CN=x,DC=y', [{ op: 'add', attr: 'description', values: [':colon', 'ok'] }])).toBe(
      'dn: CN=x,DC=y\nchangetype: modify\nadd: description\ndescription:: OmNvbG9u\ndescription: ok\n-\n\n',
    );
  });

  it('encodes DNS records as Samba stores them', () => {
    // captured from `samba-tool dns add ... crm A 127.0.77.2` (serial 2)
    expect(encodeDnsRecord('A', '127.0.77.2', 900, 2).toString('base64')).toBe('BAABAAXwAAACAAAAAAADhAAAAAAAAAAAfwBNAg==');
    expect(encodeDnsRecord('PTR', 'reports.contoso.test', 900, 2).toString('base64')).toBe('GAAMAAXwAAACAAAAAAADhAAAAAAAAAAAFgMHcmVwb3J0cwdjb250b3NvBHRlc3QA');
  });
});

describe('a private lab for tests that write', () => {
  let lab: Lab;
  let shared: Lab;
  beforeAll(async () => {
    shared = await labEnv();
    lab = await startLab();
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('runs next to the shared lab on its own loopback address', () => {
    expect(lab.ip).not.toBe(shared.ip);
    expect(lab.startMs).toBeGreaterThan(0);
  });

  it('adds a duplicate SPN with ldbmodify that LDAP and the KDC then see, and uSNChanged moves', async () => {
    const usn = async () => Number(attr((await lab.ldapsearch('(sAMAccountName=alice)', ['uSNChanged']))[0], 'uSNChanged')[0]);
    const before = await usn();
    await lab.addDuplicateSpn('alice', 'HTTP/reports.contoso.test');
    expect(await usn()).toBeGreaterThan(before);
    const holders = await lab.ldapsearch('(servicePrincipalName=HTTP/reports.contoso.test)', ['sAMAccountName']);
    expect(holders.map((e) => attr(e, 'sAMAccountName')[0]).sort()).toEqual(['alice', 'rptservice']);
    expect((await lab.kvno('HTTP/reports.contoso.test')).text).toMatch(/Server not found in Kerberos database/);
    await lab.removeSpn('alice', 'HTTP/reports.contoso.test', { raw: true });
    expect((await lab.kvno('HTTP/reports.contoso.test')).ok).toBe(true);
  });

  it('refuses a duplicate SPN through Samba\u2019s checks (addSpn), as AD does', async () => {
    await expect(lab.addSpn('bob', 'HTTP/crm')).rejects.toThrow(/servicePrincipalName|already|constraint/i);
  });

  it('adds users, changes userAccountControl and DNS records', async () => {
    await lab.addUser('lab-test-svc', { spns: ['HTTP/labtest.contoso.test'] });
    expect((await lab.kvno('HTTP/labtest.contoso.test')).ok).toBe(true);
    await lab.setUac('lab-test-svc', 0x202);
    const [e] = await lab.ldapsearch('(sAMAccountName=lab-test-svc)', ['userAccountControl']);
    expect(attr(e, 'userAccountControl')).toEqual(['514']);

    await lab.addDnsRecord('labtest', 'A', `${lab.hosts.crm.replace(/\.\d+$/, '')}.99`);
    await lab.addDnsRecord('labalias.contoso.test', 'CNAME', 'crm.contoso.test');
    await lab.addDnsRecord(`${lab.hosts.crm.replace(/\.\d+$/, '')}.99`, 'PTR', 'labtest.contoso.test');
    const dns = lab.resolver();
    expect(await dns.resolve4('labtest.contoso.test')).toEqual([`${lab.hosts.crm.replace(/\.\d+$/, '')}.99`]);
    expect(await dns.resolveCname('labalias.contoso.test')).toEqual(['crm.contoso.test']);
    expect(await dns.reverse(`${lab.hosts.crm.replace(/\.\d+$/, '')}.99`)).toEqual(['labtest.contoso.test']);
  });

  it('stops by PID: Samba gone, address released, directory removed', async () => {
    const { pid, dir, ip } = lab;
    await lab.stop();
    expect(() => process.kill(pid, 0)).toThrow();
    expect(existsSync(dir)).toBe(false);
    const lo = await run('ip', ['-4', '-o', 'addr', 'show', 'dev', 'lo']);
    expect(lo.stdout).not.toContain(`${ip}/32`);
    lab = undefined as unknown as Lab;
  });
});
