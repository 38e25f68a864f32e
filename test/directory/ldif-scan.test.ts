/**
 * The fast index pass (src/directory/ldif-scan.ts, ldif-build.ts) gives the same index as the full
 * reader, record for record, whatever the chunk size: attribute names in any case, base64 and folded
 * values, CRLF and LF, comments, a BOM. And the LDIF directory answers from it as before.
 */
import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IndexBuilder, INDEX_ATTRS } from '../../src/directory/ldif-build.js';
import { LdifDirectory } from '../../src/directory/ldif-directory.js';
import { keyHash } from '../../src/directory/ldif-index.js';
import { LdifError, readLdif, type LdifRecord } from '../../src/directory/ldif-parse.js';
import { scanLdifFile } from '../../src/directory/ldif-files.js';
import { scanLdifBytes, type FastRecord } from '../../src/directory/ldif-scan.js';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const sid = (rid: number) => Buffer.concat([Buffer.from([1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0]), Buffer.from(Uint32Array.of(rid).buffer)]).toString('base64');

/** Every shape the index reads, in one export (`eol` between lines). */
function exportText(eol: string): string {
  return [
    'version: 1',
    '',
    '# an export with a comment',
    '#  and its continuation',
    'dn: DC=contoso,DC=test',
    'objectClass: domainDNS',
    'whenCreated: 20200101000000.0Z',
    '',
    'dn: CN=Directory Service,CN=Windows NT,CN=Services,CN=Configuration,DC=contoso,DC=test',
    'sPNMappings: host=alerter,http,cifs',
    '',
    'dn: CN=CONTOSO,CN=Partitions,CN=Configuration,DC=contoso,DC=test',
    'nETBIOSName: CONTOSO',
    'nCName: DC=contoso,DC=test',
    '',
    'DN: CN=crmweb,OU=Service Accounts,DC=contoso,DC=test',
    'CHANGETYPE: Add',
    'OBJECTCLASS: top',
    'ObjectClass: USER',
    'SAMACCOUNTNAME: CrmWeb',
    'UserPrincipalName: CrmWeb@Contoso.Test',
    'servicePrincipalName: HTTP/crm.contoso.test',
    'ServicePrincipalName:   HTTP/CRM  ',
    'memberOf: CN=Group A,DC=contoso,DC=test',
    'whenChanged: 20261120120000.0Z',
    'uSNChanged: 120',
    '',
    'dn: CN=folded,OU=Service Accounts,DC=contoso,DC=test',
    'objectClass: user',
    'sAMAccountName: folded',
    'servicePrincipalName: HTTP/folded.cont',
    ' oso.test',
    'uSNChanged: 99',
    '',
    'dn: CN=skipped,OU=People,DC=contoso,DC=test',
    'objectClass: user',
    'sAMAccountName: skipped',
    'description: a folded line the index skips, con',
    ' tinued',
    '',
    `dn:: ${b64('CN=Jürgen,OU=People,DC=contoso,DC=test')}`,
    'objectClass: user',
    'sAMAccountName: juergen',
    'userPrincipalName: JÜRGEN@contoso.test',
    `servicePrincipalName:: ${b64('HTTP/jürgen.contoso.test')}`,
    'whenChanged: 20261121120000.0Z',
    '',
    'dn: CN=NDSQLSRV1,CN=Computers,DC=contoso,DC=test',
    'changetype: add',
    'objectClass: top',
    'objectClass: computer',
    'sAMAccountName: NDSQLSRV1$',
    'dNSHostName: ndsqlsrv1.CONTOSO.test',
    'servicePrincipalName: MSSQLSvc/ndsqlsrv1.contoso.test:1433',
    'servicePrincipalName: HOST/ndsqlsrv1',
    '# a comment inside a record',
    'uSNChanged: 1000',
    '',
    'dn: CN=Protected Users,CN=Users,DC=contoso,DC=test',
    'objectClass: group',
    `objectSid:: ${sid(525)}`,
    '',
    'dn: CN=Read-only Domain Controllers,CN=Users,DC=contoso,DC=test',
    'objectClass: group',
    `objectSid:: ${sid(521)}`,
    'whenCreated: 20200102000000.0Z',
    '',
    'dn: CN=nosam,OU=Service Accounts,DC=contoso,DC=test',
    'objectClass: serviceConnectionPoint',
    'servicePrincipalName;x-option: HTTP/scp.contoso.test',
    '',
    'dn: CN=noclass,DC=contoso,DC=test',
    'sAMAccountName: noclass',
    'servicePrincipalName: HTTP/crm.contoso.test',
    '',
    'dn: CN=other,DC=contoso,DC=test',
    'objectClass: contact',
    'whenChanged: 20261122120000.0Z',
    '',
    '',
    'dn: CN=last,OU=People,DC=fabrikam,DC=test',
    'objectClass: user',
    'sAMAccountName: last',
  ].join(eol);
}

/** What the index holds, comparable between two builds. */
function snapshot(x: IndexBuilder) {
  const keys = ['crmweb', 'crmweb@contoso.test', 'http/crm.contoso.test', 'http/crm', 'http/folded.contoso.test', 'juergen', 'jürgen@contoso.test', 'http/jürgen.contoso.test', 'ndsqlsrv1$', 'ndsqlsrv1.contoso.test', 'host/ndsqlsrv1', 'http/scp.contoso.test', 'noclass', 'last', 'other'];
  const dns = ['CN=crmweb,OU=Service Accounts,DC=contoso,DC=test', 'cn=folded,ou=service accounts,dc=contoso,dc=test', 'CN=Jürgen,OU=People,DC=contoso,DC=test', 'CN=nosam,OU=Service Accounts,DC=contoso,DC=test'];
  return {
    slots: Array.from({ length: x.slots.length }, (_, i) => ({ ...x.slots.get(i), flags: x.slots.flags(i) })),
    keys: keys.map((k) => [k, x.bySam.get(keyHash(k)), x.byUpn.get(keyHash(k)), x.byHost.get(keyHash(k)), x.bySpn.get(keyHash(k))]),
    dns: dns.map((d) => x.byDn.get(keyHash(d))),
    names: [x.names.startingWith('c', 9), x.names.startingWith('nd', 9), x.names.startingWith('ju', 9)],
    domains: [...x.domains].map(([d, c]) => [d, c.n]),
    rest: [x.counts, x.newest.text(), x.highestUsn.text(), [...x.mappings], [...x.netbios], x.configNc, x.protectedUsersDn, x.rodcGroup, [...x.created]],
  };
}

/** Records the fast path indexed (the rest went through the full reader). */
let fastRecords = 0;
function build(text: string | Buffer, chunk = Infinity, allSlow = false): IndexBuilder {
  const x = new IndexBuilder();
  const sink = { fast: (b: Buffer, r: FastRecord) => x.fast(b, r) && ++fastRecords > 0, slow: (r: LdifRecord) => x.slow(r) };
  fastRecords = 0;
  scanLdifBytes(Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'), 'x.ldf', INDEX_ATTRS, sink, chunk, allSlow);
  return x;
}

describe('the fast index pass', () => {
  for (const [shape, eol] of [['LF', '\n'], ['CRLF', '\r\n']] as const) {
    it(`gives the index the full reader gives, at every chunk size (${shape})`, () => {
      const text = exportText(eol);
      const full = snapshot(build(text, Infinity, true));
      expect(fastRecords).toBe(0);
      expect(full.rest[0]).toEqual({ objects: 14, accounts: 7 });
      expect(full.domains).toEqual([['DC=contoso,DC=test', 6], ['DC=fabrikam,DC=test', 1]]);
      expect(full.keys.find((k) => k[0] === 'http/crm.contoso.test')![4]).toHaveLength(2);
      expect(full.keys.find((k) => k[0] === 'http/jürgen.contoso.test')![4]).toHaveLength(1);
      expect(full.keys.find((k) => k[0] === 'http/folded.contoso.test')![4]).toHaveLength(1);
      expect(full.rest.slice(1, 3)).toEqual(['20261122120000.0Z', '1000']);
      for (const size of [1, 2, 3, 5, 8, 13, 64, 100, Infinity]) {
        expect(snapshot(build(text, size)), `chunks of ${size} bytes`).toEqual(full);
        // crmweb, skipped, NDSQLSRV1$, noclass, other, last; not: the folded, base64, group, DC=, option and configuration records.
        expect(fastRecords).toBe(6);
      }
    });
  }

  it('reads the file in chunks with the same result, and skips a UTF-8 BOM', async () => {
    const text = exportText('\r\n');
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'krbops-scan-')), 'x.ldf');
    writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]));
    const whole = snapshot(build(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]), Infinity, true));
    for (const chunk of [16, 61, 1 << 20]) {
      const x = new IndexBuilder();
      await scanLdifFile(file, 'x.ldf', INDEX_ATTRS, x, chunk);
      expect(snapshot(x), `chunks of ${chunk}`).toEqual(whole);
    }
    expect(whole.slots[0]!.start).toBe(Buffer.byteLength(text.slice(0, text.indexOf('DN: CN=crmweb')), 'utf8') + 3);
  });

  it('reads an empty file, a file of two bytes, and refuses UTF-16, from the file too', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'krbops-scan-'));
    const write = (name: string, bytes: Buffer) => (writeFileSync(path.join(dir, name), bytes), path.join(dir, name));
    const x = new IndexBuilder();
    await scanLdifFile(write('empty.ldf', Buffer.alloc(0)), 'empty.ldf', INDEX_ATTRS, x, 16);
    expect(x.counts.objects).toBe(0);
    await expect(scanLdifFile(write('two.ldf', Buffer.from('dn')), 'two.ldf', INDEX_ATTRS, new IndexBuilder(), 16)).rejects.toThrow('two.ldf line 1: expected "attribute: value", got "dn"');
    await expect(scanLdifFile(write('u.ldf', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('dn: CN=a', 'utf16le')])), 'u.ldf', INDEX_ATTRS, new IndexBuilder())).rejects.toThrow(/u\.ldf line 1: is UTF-16/);
    await expect(scanLdifFile(path.join(dir, 'missing.ldf'), 'missing.ldf', INDEX_ATTRS, new IndexBuilder())).rejects.toThrow('missing.ldf: cannot be read (ENOENT)');
  });

  it.each([
    ['a change record', 'dn: CN=a,DC=x\nobjectClass: user\nchangetype: modify\n', 3, /changetype: modify is a change/],
    ['a second dn: in a record', 'dn: CN=a,DC=x\nsAMAccountName: a\n\ndn: CN=b,DC=x\nobjectClass: user\nDn: CN=c,DC=x\n', 6, /a second "dn:"/],
    ['a continuation line after a blank line', 'dn: CN=a,DC=x\n\n folded\n', 3, /continuation line/],
    ['bad base64 in an SPN', 'dn: CN=a,DC=x\nservicePrincipalName:: ***\n', 2, /not valid base64/],
    ['a record that does not start with dn:', 'dn: CN=a,DC=x\n\nsAMAccountName: b\n', 3, /must start with "dn:"/],
    ['a value from a URL', 'dn: CN=a,DC=x\nsAMAccountName:< file:///etc/passwd\n', 2, /not supported/],
  ])('names the line of %s, at every chunk size', (_name, text, line, message) => {
    for (const size of [1, 4, 9, Infinity]) {
      let error: unknown;
      try {
        build(text, size);
      } catch (e) {
        error = e;
      }
      expect(error, `chunks of ${size}`).toBeInstanceOf(LdifError);
      expect((error as LdifError).details).toMatchObject({ file: 'x.ldf', line });
      expect((error as Error).message).toMatch(message);
    }
  });
});

describe('the LDIF directory on the fast index', () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'krbops-scan-')), 'contoso.ldf');
  writeFileSync(file, exportText('\r\n'));

  it('finds accounts by any case of their names, host names and SPNs (base64 and folded ones too)', async () => {
    const d = await LdifDirectory.open(file);
    expect((await d.findAccount('CRMWEB')).dn).toBe('CN=crmweb,OU=Service Accounts,DC=contoso,DC=test');
    expect((await d.findAccount('crmweb@CONTOSO.test')).sAMAccountName).toBe('CrmWeb');
    expect((await d.findAccount('jürgen@contoso.test')).sAMAccountName).toBe('juergen');
    expect((await d.findAccount('cn=Jürgen,ou=People,dc=contoso,dc=test')).sAMAccountName).toBe('juergen');
    expect((await d.findComputerByHost('NDSQLSRV1.contoso.test'))?.sAMAccountName).toBe('NDSQLSRV1$');
    expect((await d.spnHolders('http/JÜRGEN.contoso.test')).map((h) => h.sAMAccountName)).toEqual(['juergen']);
    expect((await d.spnHolders('HTTP/folded.contoso.test')).map((h) => h.sAMAccountName)).toEqual(['folded']);
    expect((await d.spnHolders('http/crm.contoso.test')).map((h) => h.sAMAccountName).sort()).toEqual(['CrmWeb', 'noclass']);
    expect((await d.spnHolders('HTTP/ndsqlsrv1', { includeAliases: true })).map((h) => [h.sAMAccountName, h.via])).toEqual([['NDSQLSRV1$', 'alias']]);
    await expect(d.findAccount('nd')).rejects.toMatchObject({ code: 'ACCOUNT_NOT_FOUND' });
    await expect(d.findAccount('crm')).rejects.toMatchObject({ details: expect.objectContaining({ suggestions: ['CrmWeb'] }) });
    const info = await d.info();
    expect(info).toMatchObject({ defaultNamingContext: 'DC=contoso,DC=test', netbiosDomain: 'CONTOSO', highestCommittedUSN: '1000' });
    expect(await d.domainKeyFacts()).toMatchObject({ domainCreated: '2020-01-01T00:00:00.000Z', rodcGroupCreated: '2020-01-02T00:00:00.000Z' });
  });

  it('spn dupes gets from the index pass what a full read gives; past its budget it reads the holders only; a changed file is read whole', async () => {
    const full: { dn: string; servicePrincipalName: string[] }[] = [];
    for await (const r of readLdif(file, 'contoso.ldf', new Set(['serviceprincipalname']))) {
      const spns = r.attrs.get('serviceprincipalname');
      if (spns?.length) full.push({ dn: r.dn, servicePrincipalName: spns });
    }
    const pages = async (d: LdifDirectory) => {
      const out: unknown[] = [];
      for await (const page of d.scanSpnPages()) out.push(...page);
      return out;
    };
    const d = await LdifDirectory.open(file);
    expect(full).toHaveLength(6);
    expect(await pages(d)).toEqual(full);
    expect(await pages(await LdifDirectory.open(file, { spnStoreBytes: 64 }))).toEqual(full);
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    expect(await pages(d)).toEqual(full);
  });
});
