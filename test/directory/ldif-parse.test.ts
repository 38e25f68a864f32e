/** The LDIF reader: both export shapes (ldifde, ldapsearch -LLL) and a named line for every bad line. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LdifError, parseLdifText, readLdif, readRecordAt, type LdifRecord } from '../../src/directory/ldif-parse.js';

async function all(text: string): Promise<LdifRecord[]> {
  const out: LdifRecord[] = [];
  for await (const r of parseLdifText(text, 'x.ldf')) out.push(r);
  return out;
}
async function failure(text: string): Promise<LdifError> {
  try {
    await all(text);
  } catch (e) {
    if (e instanceof LdifError) return e;
    throw e;
  }
  throw new Error('no error');
}
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

describe('reading an ldapsearch -LLL export', () => {
  it('unfolds lines folded at 76 columns, decodes base64 values and keeps every value of an attribute', async () => {
    const text = [
      'dn: CN=crmweb,OU=Service Accounts,DC=contoso,DC=test',
      'objectClass: top',
      'objectClass: user',
      'servicePrincipalName: HTTP/crm.contoso.t',
      ' est',
      'servicePrincipalName: HTTP/crm',
      `description:: ${b64('Dienstkonto für CRM ')}`,
      `objectSid:: ${Buffer.from([1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 1, 2, 3, 4]).toString('base64')}`,
      '',
      '# refldaps://contoso.test/CN=Configuration,DC=contoso,DC=test',
      '',
      '# pagedresults: cookie=',
      '',
    ].join('\n');
    const [r, ...rest] = await all(text);
    expect(rest).toEqual([]);
    expect(r.dn).toBe('CN=crmweb,OU=Service Accounts,DC=contoso,DC=test');
    expect(r.attrs.get('serviceprincipalname')).toEqual(['HTTP/crm.contoso.test', 'HTTP/crm']);
    expect(r.attrs.get('description')).toEqual(['Dienstkonto für CRM ']);
    expect(r.binary.get('objectsid')?.[0]).toHaveLength(16);
    expect(r.line).toBe(1);
  });

  it('decodes a base64 DN (dn::)', async () => {
    const [r] = await all(`dn:: ${b64('CN=Jürgen,DC=contoso,DC=test')}\nsAMAccountName: juergen\n`);
    expect(r.dn).toBe('CN=Jürgen,DC=contoso,DC=test');
  });
});

describe('reading an ldifde export', () => {
  it('reads CRLF lines, changetype: add and a leading blank line', async () => {
    const text = ['', 'dn: CN=NDSQLSRV1,CN=Computers,DC=contoso,DC=test', 'changetype: add', 'sAMAccountName: NDSQLSRV1$', 'servicePrincipalName: MSSQLSvc/ndsqlsrv1.contoso.test:1433', '', 'dn: CN=sqlsvc,CN=Users,DC=contoso,DC=test', 'changetype: add', 'sAMAccountName: sqlsvc', ''].join('\r\n');
    const rs = await all(text);
    expect(rs.map((r) => r.attrs.get('samaccountname')?.[0])).toEqual(['NDSQLSRV1$', 'sqlsvc']);
    expect(rs[0].attrs.has('changetype')).toBe(false);
    expect(rs[1].line).toBe(7);
  });

  it('reads a record back from the byte range of the first pass, in a CRLF file with a BOM', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'krbops-ldif-'));
    const file = path.join(dir, 'x.ldf');
    writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('dn: CN=a,DC=x\r\nchangetype: add\r\nsAMAccountName: a\r\n\r\ndn: CN=b,DC=x\r\nchangetype: add\r\nsAMAccountName: b\r\nservicePrincipalName: HTTP/b.x\r\n', 'utf8')]));
    const rs: LdifRecord[] = [];
    for await (const r of readLdif(file)) rs.push(r);
    const back = await readRecordAt(file, 'x.ldf', rs[1]);
    expect(back.dn).toBe('CN=b,DC=x');
    expect(back.attrs.get('serviceprincipalname')).toEqual(['HTTP/b.x']);
  });
});

describe('a bad line names its line number', () => {
  it.each([
    ['a line without a colon', 'dn: CN=a,DC=x\nsAMAccountName a\n', 2, /expected "attribute: value"/],
    ['invalid base64', 'dn: CN=a,DC=x\n\ndn: CN=b,DC=x\nobjectSid:: ***\n', 4, /not valid base64/],
    ['a change record instead of an export', 'dn: CN=a,DC=x\r\nchangetype: modify\r\n', 2, /changetype: modify is a change/],
    ['a record that does not start with dn:', 'sAMAccountName: a\n', 1, /must start with "dn:"/],
    ['two records without a blank line between them', 'dn: CN=a,DC=x\nsAMAccountName: a\ndn: CN=b,DC=x\n', 3, /a second "dn:"/],
    ['a continuation line at the start', ' folded\n', 1, /continuation line/],
    ['a value read from a URL', 'dn: CN=a,DC=x\njpegPhoto:< file:///etc/passwd\n', 2, /not supported/],
    ['a bad attribute name', 'dn: CN=a,DC=x\nsam account: a\n', 2, /not an attribute name/],
  ])('%s', async (_name, text, line, message) => {
    const e = await failure(text);
    expect(e.details).toMatchObject({ file: 'x.ldf', line });
    expect(e.message).toMatch(new RegExp(`^x\\.ldf line ${line}: `));
    expect(e.message).toMatch(message);
  });

  it('refuses a UTF-16 export (ldifde -u) with what to do', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'krbops-ldif-'));
    const file = path.join(dir, 'u.ldf');
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('dn: CN=a', 'utf16le')]));
    await expect((async () => {
      for await (const _ of readLdif(file, 'u.ldf')) void _;
    })()).rejects.toThrow(/u\.ldf line 1: is UTF-16 \(ldifde -u\)/);
  });
});

describe('LDAP_URL=file:<path>', () => {
  it('selects the export instead of a DC, with no bind settings needed', async () => {
    const { loadConfig } = await import('../../src/config.js');
    const dir = mkdtempSync(path.join(tmpdir(), 'krbops-ldif-'));
    const file = path.join(dir, 'c.ldif');
    writeFileSync(file, 'dn: CN=a,DC=x\nsAMAccountName: a\n');
    expect(loadConfig({ LDAP_URL: `file:${file}` })).toMatchObject({ ldifFile: file, ldap: undefined });
    expect(loadConfig({ LDAP_URL: `file://${file}` }).ldifFile).toBe(file);
  });

  it('names the variable and the reason when the export cannot be read', async () => {
    const { loadConfig } = await import('../../src/config.js');
    expect(() => loadConfig({ LDAP_URL: 'file:/nonexistent/contoso.ldif' })).toThrow('LDAP_URL: the export /nonexistent/contoso.ldif cannot be read (ENOENT)');
  });
});

describe('reading in chunks (the file arrives 1 MiB at a time; records and folded lines span the boundaries)', () => {
  const text = [
    'version: 1',
    '',
    '# an ldapsearch export with a comment',
    'dn: CN=crmweb,OU=Service Accounts,DC=contoso,DC=test',
    'objectClass: user',
    'servicePrincipalName: HTTP/crm.contoso.t',
    ' est',
    `description:: ${b64('Dienstkonto für CRM')}`,
    'memberOf: CN=Group A,DC=contoso,DC=test',
    '',
    'dn: CN=Jürgen,DC=contoso,DC=test',
    'sAMAccountName: juergen',
    'userPrincipalName: jürgen@contoso.test',
    '',
    '',
    'dn: CN=NDSQLSRV1,CN=Computers,DC=contoso,DC=test',
    'changetype: add',
    'sAMAccountName: NDSQLSRV1$',
  ].join('\r\n');
  const read = async (chunk: number) => {
    const out: LdifRecord[] = [];
    for await (const r of parseLdifText(text, 'x.ldf', chunk)) out.push(r);
    return out;
  };

  it('gives the same records, lines and byte ranges whatever the chunk size', async () => {
    const whole = await read(Infinity);
    expect(whole.map((r) => r.dn)).toEqual(['CN=crmweb,OU=Service Accounts,DC=contoso,DC=test', 'CN=Jürgen,DC=contoso,DC=test', 'CN=NDSQLSRV1,CN=Computers,DC=contoso,DC=test']);
    expect(whole.map((r) => r.line)).toEqual([4, 11, 16]);
    expect(whole[0]!.attrs.get('serviceprincipalname')).toEqual(['HTTP/crm.contoso.test']);
    expect(whole[1]!.attrs.get('userprincipalname')).toEqual(['jürgen@contoso.test']);
    const bytes = Buffer.from(text, 'utf8');
    for (const r of whole) expect(bytes.toString('utf8', r.start, r.start + 4)).toBe('dn: ');
    for (const size of [1, 2, 3, 7, 16, 50, 101]) expect(await read(size), `chunks of ${size} bytes`).toEqual(whole);
  });

  it('names the line of a bad record that begins in one chunk and breaks in the next', async () => {
    const bad = `${text}\r\n\r\ndn: CN=x,DC=contoso,DC=test\r\nthis line has no colon\r\n`;
    for (const size of [5, 64, Infinity]) {
      const e = await (async () => {
        for await (const _ of parseLdifText(bad, 'x.ldf', size)) void _;
      })().catch((err: unknown) => err);
      expect(e, `chunks of ${size}`).toBeInstanceOf(LdifError);
      expect((e as Error).message).toBe('x.ldf line 21: expected "attribute: value", got "this line has no colon"');
    }
  });
});
