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
import { scanLdifBytes, type Taken } from '../../src/directory/ldif-scan.js';
import { exportText, snapshot } from '../helpers/ldif-export.js';

/** Records the fast path indexed (the rest went through the full reader). */
let fastRecords = 0;
function build(text: string | Buffer, chunk = Infinity, allSlow = false): IndexBuilder {
  const x = new IndexBuilder();
  const sink = { index: { at: x.index.at, take: (t: Taken) => ((fastRecords += t.objects), x.index.take(t)) }, slow: (r: LdifRecord) => x.slow(r), greatest: x.greatest.bind(x) };
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

  it('reads records longer than its pad and its buffer, where the reads go round, at any chunk size', async () => {
    const small = (i: number) => [`dn: CN=u${i},OU=P,DC=contoso,DC=test`, 'objectClass: user', `sAMAccountName: u${i}`, `servicePrincipalName: HTTP/u${i}`, ''];
    const long = (i: number, n: number) => [`dn: CN=big${i},OU=P,DC=contoso,DC=test`, 'objectClass: user', `sAMAccountName: big${i}`, ...Array.from({ length: n }, (_, j) => `memberOf: CN=Group ${j} with a name long enough,OU=Groups,DC=contoso,DC=test`), `servicePrincipalName: HTTP/big${i}`, ''];
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) lines.push(...(i % 500 === 250 ? long(i, 600 + 700 * (i % 3)) : small(i)));
    const text = lines.join('\r\n');
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'krbops-scan-')), 'long.ldf');
    writeFileSync(file, text);
    const view = (x: IndexBuilder) => ({ ...snapshot(x), holders: Array.from({ length: x.spns.holders }, (_, k) => [x.spns.get(k).dn, x.spns.entry(k)]), slots: Array.from({ length: x.slots.length }, (_, i) => x.slots.get(i)) });
    const whole = view(build(text, Infinity, true));
    expect(whole.holders).toHaveLength(3000);
    for (const chunk of [61, 4096, 32 << 10, 40_000, 1 << 20]) {
      const x = new IndexBuilder();
      await scanLdifFile(file, 'long.ldf', INDEX_ATTRS, x, chunk);
      expect(view(x), `chunks of ${chunk}`).toEqual(whole);
    }
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

  it('hands a holder too big for the module\'s output (over 1 MiB of SPNs) to the full reader, and goes on in file order', () => {
    const big = Array.from({ length: 9000 }, (_, i) => `servicePrincipalName: HTTP/node${i}.${'with-a-long-name.'.repeat(5)}example.contoso.test`);
    const text = ['dn: CN=a,OU=S,DC=contoso,DC=test', 'objectClass: user', 'sAMAccountName: a', 'servicePrincipalName: HTTP/a', '', 'dn: CN=big,OU=S,DC=contoso,DC=test', 'objectClass: user', 'sAMAccountName: big', ...big, '', 'dn: CN=z,OU=S,DC=contoso,DC=test', 'objectClass: computer', 'sAMAccountName: z$', 'servicePrincipalName: HOST/z', ''].join('\n');
    const full = build(text, Infinity, true);
    const fast = build(text);
    expect(fastRecords).toBe(2); // a and z; big by the full reader
    const view = (x: IndexBuilder) => ({ ...snapshot(x), spn: ['http/a', `http/node8999.${'with-a-long-name.'.repeat(5)}example.contoso.test`, 'host/z'].map((k) => x.bySpn.get(keyHash(k))), holders: Array.from({ length: x.spns.holders }, (_, k) => [x.spns.get(k).dn, x.spns.get(k).servicePrincipalName.length, x.spns.entry(k)]) });
    expect(view(fast)).toEqual(view(full));
    expect(view(fast).holders).toEqual([['CN=a,OU=S,DC=contoso,DC=test', 1, 0], ['CN=big,OU=S,DC=contoso,DC=test', 9000, 1], ['CN=z,OU=S,DC=contoso,DC=test', 1, 2]]);
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
