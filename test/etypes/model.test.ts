import type { EncryptionScanAccount, EtypeRisk } from '../../src/model/index.js';
import { describe, expect, it } from 'vitest';
import { aesKeysLikely, classifyAccount, type ClassifyContext } from '../../src/etypes/classify.js';
import { decodeSupportedEncryptionTypes, effectiveEncryptionTypes, parseSupportedEncryptionTypes } from '../../src/etypes/decode.js';
import { aesSinceOf, EtypesAccumulator, realmOf } from '../../src/etypes/report.js';

const AES = ['AES128-CTS-HMAC-SHA1-96', 'AES256-CTS-HMAC-SHA1-96'];

describe('msDS-SupportedEncryptionTypes decoding', () => {
  it.each([
    { value: null, names: [], features: [], hex: null },
    { value: 0x1, names: ['DES-CBC-CRC'], features: [], hex: '0x1' },
    { value: 0x2, names: ['DES-CBC-MD5'], features: [], hex: '0x2' },
    { value: 0x4, names: ['RC4-HMAC'], features: [], hex: '0x4' },
    { value: 0x18, names: AES, features: [], hex: '0x18' },
    { value: 0x1c, names: ['RC4-HMAC', ...AES], features: [], hex: '0x1c' },
    { value: 0x3c, names: ['RC4-HMAC', ...AES, 'AES256-CTS-HMAC-SHA1-96-SK'], features: [], hex: '0x3c' },
    { value: 0x1001c, names: ['RC4-HMAC', ...AES], features: ['FAST-supported'], hex: '0x1001c' },
    { value: 0xf0000, names: [], features: ['FAST-supported', 'Compound-identity-supported', 'Claims-supported', 'Resource-SID-compression-disabled'], hex: '0xf0000' },
  ])('decodes $hex into $names and $features', ({ value, names, features, hex }) => {
    const d = decodeSupportedEncryptionTypes(value);
    expect(d).toMatchObject({ value, names, features, hex, unknownBits: 0 });
  });

  it('reports bits it does not know instead of dropping them', () => {
    expect(decodeSupportedEncryptionTypes(0x100004).unknownBits).toBe(0x100000);
  });

  it('reads the signed 32-bit value AD stores as unsigned, and nothing from garbage', () => {
    expect(parseSupportedEncryptionTypes('-2147483644')).toBe(0x80000004);
    expect(parseSupportedEncryptionTypes('28')).toBe(28);
    expect(parseSupportedEncryptionTypes(undefined)).toBeNull();
    expect(parseSupportedEncryptionTypes('x')).toBeNull();
  });
});

describe('effective encryption types under the 2026 default', () => {
  it.each([
    { name: 'not set: AES only (0x18) since April 2026', value: null, names: AES, source: 'default-2026' },
    { name: '0: same as not set', value: 0, names: AES, source: 'default-2026' },
    { name: 'feature bits only: same as not set', value: 0x10000, names: AES, source: 'default-2026' },
    { name: 'RC4 only stays RC4 (explicit)', value: 4, names: ['RC4-HMAC'], source: 'attribute' },
    { name: 'DES only: nothing (DES is disabled on every supported KDC)', value: 3, names: [], source: 'attribute' },
    { name: 'DES + RC4: RC4', value: 7, names: ['RC4-HMAC'], source: 'attribute' },
    { name: 'AES + RC4', value: 0x1c, names: ['RC4-HMAC', ...AES], source: 'attribute' },
    { name: 'AES256 only', value: 0x10, names: ['AES256-CTS-HMAC-SHA1-96'], source: 'attribute' },
  ])('$name', ({ value, names, source }) => {
    expect(effectiveEncryptionTypes(value)).toMatchObject({ names, source });
  });

  it('USE_DES_KEY_ONLY leaves nothing, whatever the attribute says', () => {
    expect(effectiveEncryptionTypes(0x1c, { useDesKeyOnly: true })).toMatchObject({ names: [], source: 'use-des-key-only' });
  });
});

const AES_SINCE = '2009-06-01T10:00:00.000Z';
const ctx: ClassifyContext = { aesSince: { at: AES_SINCE, basis: 'RODC group created 2009-06-01' }, now: new Date('2026-12-01T00:00:00Z'), netbios: 'CONTOSO', realm: 'CONTOSO.COM' };
const OLD = '2005-03-01T00:00:00.000Z';
const NEW = '2024-03-01T00:00:00.000Z';

function anAccount(o: Partial<EncryptionScanAccount> = {}): EncryptionScanAccount {
  return { dn: `CN=${o.sAMAccountName ?? 'svc'},OU=Svc,DC=contoso,DC=com`, sAMAccountName: 'svc', kind: 'user', spns: ['HTTP/app.contoso.com'], supportedEncryptionTypes: null, pwdLastSet: NEW, userAccountControl: 512, ...o };
}

describe('aesKeysLikely (pwdLastSet after the RID-521 group was created)', () => {
  it.each([
    { name: 'password set after', a: { pwdLastSet: NEW }, expect: true },
    { name: 'password set before', a: { pwdLastSet: OLD }, expect: false },
    { name: 'password set in the same second as the group', a: { pwdLastSet: '2009-06-01T10:00:00.400Z' }, expect: true },
    { name: 'pwdLastSet empty on a user: unknown', a: { pwdLastSet: undefined }, expect: null },
    { name: 'pwdLastSet empty on a gMSA: no password, no keys', a: { pwdLastSet: undefined, kind: 'gmsa' as const }, expect: false },
  ])('$name → $expect', ({ a, expect: want }) => {
    expect(aesKeysLikely({ kind: 'user', ...a }, ctx.aesSince)).toBe(want);
  });

  it('is unknown when the domain does not tell when it gained AES keys', () => {
    expect(aesKeysLikely({ kind: 'user', pwdLastSet: NEW }, { basis: 'no group' })).toBeNull();
  });
});

describe('risk classes', () => {
  const cases: { name: string; a: Partial<EncryptionScanAccount>; risk: EtypeRisk; reason: RegExp; commands: RegExp[] }[] = [
    { name: 'not set, old password: fails now', a: { pwdLastSet: OLD }, risk: 'fails-now', reason: /AES only \(0x18\)/, commands: [/^Set-ADUser -Identity svc -KerberosEncryptionType AES128,AES256$/, /^Set-ADAccountPassword -Identity svc -Reset$/, /^ktpass \/princ HTTP\/app\.contoso\.com@CONTOSO\.COM \/mapuser CONTOSO\\svc \/crypto AES256-SHA1/] },
    { name: 'AES only (0x18), old password: fails now', a: { supportedEncryptionTypes: 0x18, pwdLastSet: OLD }, risk: 'fails-now', reason: /no AES key/, commands: [/^Set-ADAccountPassword -Identity svc -Reset$/] },
    { name: 'DES only: fails now', a: { supportedEncryptionTypes: 0x3 }, risk: 'fails-now', reason: /DES only/, commands: [/KerberosEncryptionType AES128,AES256/] },
    { name: 'USE_DES_KEY_ONLY: fails now', a: { userAccountControl: 512 | 0x200000 }, risk: 'fails-now', reason: /USE_DES_KEY_ONLY/, commands: [/^Set-ADAccountControl -Identity svc -UseDESKeyOnly \$false$/, /KerberosEncryptionType/] },
    { name: 'RC4 only (4): at risk, and says Kerberoastable', a: { supportedEncryptionTypes: 4 }, risk: 'at-risk', reason: /RC4 only/, commands: [/KerberosEncryptionType AES128,AES256/] },
    { name: 'RC4 + AES with an old password: at risk', a: { supportedEncryptionTypes: 0x1c, pwdLastSet: OLD }, risk: 'at-risk', reason: /RC4 is still allowed explicitly and AES keys are likely missing/, commands: [/KerberosEncryptionType/, /-Reset$/] },
    { name: 'not set, pwdLastSet empty: at risk (cannot tell)', a: { pwdLastSet: undefined }, risk: 'at-risk', reason: /Cannot tell/, commands: [/-Reset$/] },
    { name: 'RC4 + AES user with SPNs and AES keys: Kerberoastable', a: { supportedEncryptionTypes: 0x1c }, risk: 'kerberoastable', reason: /Kerberoastable.*password last set 2024-03-01 \(\d+ days ago/, commands: [/^Set-ADUser -Identity svc -KerberosEncryptionType AES128,AES256$/] },
    { name: 'RC4 + AES computer with AES keys: ok (not a Kerberoasting target)', a: { kind: 'computer', sAMAccountName: 'WEB1$', supportedEncryptionTypes: 0x1c }, risk: 'ok', reason: /AES keys likely/, commands: [] },
    { name: 'not set, new password: ok', a: {}, risk: 'ok', reason: /AES keys likely: password last set 2024-03-01/, commands: [] },
    { name: 'AES only, new password: ok', a: { supportedEncryptionTypes: 0x18 }, risk: 'ok', reason: /AES keys likely/, commands: [] },
    { name: 'gMSA never given a password: fails now, KDS root key check', a: { kind: 'gmsa', sAMAccountName: 'svc-app$', pwdLastSet: undefined }, risk: 'fails-now', reason: /managed password was never set/, commands: [/^Set-ADServiceAccount -Identity 'svc-app\$' -KerberosEncryptionType AES128,AES256$/, /^Get-KdsRootKey$/, /^Test-ADServiceAccount -Identity 'svc-app\$'$/] },
    { name: 'old computer password, not set: fails now, machine password reset', a: { kind: 'computer', sAMAccountName: 'OLD1$', pwdLastSet: OLD }, risk: 'fails-now', reason: /before the domain could make AES keys/, commands: [/^Set-ADComputer -Identity 'OLD1\$' -KerberosEncryptionType AES128,AES256$/, /^Reset-ComputerMachinePassword$/] },
  ];
  it.each(cases)('$name', ({ a, risk, reason, commands }) => {
    const r = classifyAccount(anAccount(a), ctx);
    expect(r.risk).toBe(risk);
    expect(r.reasons.join('\n')).toMatch(reason);
    for (const c of commands) expect(r.fix.commands.some((x) => c.test(x)), `${c} in ${JSON.stringify(r.fix.commands)}`).toBe(true);
    if (!commands.length) expect(r.fix.commands).toEqual([]);
  });

  it('says the AES-key test is a heuristic and how to confirm it whenever keys are in doubt', () => {
    const r = classifyAccount(anAccount({ pwdLastSet: OLD }), ctx);
    expect(r.reasons.join(' ')).toMatch(/heuristic: confirm with event 4769 on a Windows Server 2019\+ DC.*"Available Keys".*KDCSVC events 201–209/);
  });

  it('tells the app pool / service password and the keytab re-export after a reset', () => {
    const r = classifyAccount(anAccount({ pwdLastSet: OLD }), ctx);
    expect(r.fix.summary).toMatch(/app pool/);
    expect(r.fix.summary).toMatch(/keytab/);
  });

  it('prints no ktpass or ktutil line for an SPN that is not a plain name, and says which value was refused', () => {
    const r = classifyAccount(anAccount({ pwdLastSet: OLD, spns: ['HTTP/x & calc.exe'] }), ctx);
    expect(r.fix.commands.some((c) => c.startsWith('ktpass') || c.startsWith('addent') || c === 'ktutil')).toBe(false);
    expect(r.fix.summary).toMatch(/No ktpass line: .*Kerberos principal/);
    expect(r.fix.commands).toEqual(['Set-ADUser -Identity svc -KerberosEncryptionType AES128,AES256', 'Set-ADAccountPassword -Identity svc -Reset']);
  });

  it('re-exports the keytab with MIT ktutil too: addent with the AD salt (REALM + sAMAccountName), then wkt', () => {
    const r = classifyAccount(anAccount({ pwdLastSet: OLD }), ctx);
    const at = r.fix.commands.indexOf('ktutil');
    expect(r.fix.commands.slice(at)).toEqual([
      'ktutil',
      'addent -password -p HTTP/app.contoso.com@CONTOSO.COM -k <kvno> -e aes256-cts-hmac-sha1-96 -s CONTOSO.COMsvc',
      'wkt svc.keytab',
      'quit',
    ]);
    expect(r.fix.summary).toMatch(/replace <kvno> with the account's msDS-KeyVersionNumber/);
  });

  it('gives no command for an account name the builder refuses, and says so', () => {
    const r = classifyAccount(anAccount({ pwdLastSet: OLD, sAMAccountName: "svc'; Remove-ADUser x" }), ctx);
    expect(r.risk).toBe('fails-now');
    expect(r.fix.commands).toEqual([]);
    expect(r.fix.summary).toMatch(/No commands: .*account name/);
  });

  it('krbtgt without AES keys is at risk, reset twice with the replication wait between', () => {
    const r = classifyAccount(anAccount({ sAMAccountName: 'krbtgt', spns: ['kadmin/changepw'], pwdLastSet: OLD, userAccountControl: 514 }), ctx);
    expect(r.risk).toBe('at-risk');
    expect(r.fix.commands.filter((c) => c === 'Set-ADAccountPassword -Identity krbtgt -Reset')).toHaveLength(2);
    expect(r.fix.commands.indexOf('repadmin /showrepl')).toBeGreaterThan(0);
    expect(r.fix.summary).toMatch(/twice.*replicated.*10 h/);
  });

  it('krbtgt with AES keys is ok and never Kerberoastable', () => {
    expect(classifyAccount(anAccount({ sAMAccountName: 'krbtgt', spns: ['kadmin/changepw'], supportedEncryptionTypes: 0x1c }), ctx).risk).toBe('ok');
  });
});

describe('the report', () => {
  it('takes aesSince from the RID-521 group, or from the domain when both were created together', () => {
    expect(aesSinceOf({ domainDn: 'DC=x', domainCreated: '2003-01-01T00:00:00.000Z', rodcGroupCreated: AES_SINCE }).at).toBe(AES_SINCE);
    expect(aesSinceOf({ domainDn: 'DC=x', domainCreated: '2009-06-01T09:59:58.000Z', rodcGroupCreated: AES_SINCE }).at).toBe('2009-06-01T09:59:58.000Z');
    expect(aesSinceOf({ domainDn: 'DC=x' }).at).toBeUndefined();
    // A group older than the domain (restored or edited data) is taken as it is.
    expect(aesSinceOf({ domainDn: 'DC=x', domainCreated: '2026-12-01T00:00:00.000Z', rodcGroupCreated: AES_SINCE }).at).toBe(AES_SINCE);
  });

  it('puts krbtgt apart and sorts the most urgent first', () => {
    const acc = new EtypesAccumulator({ domainDn: 'DC=contoso,DC=com', domainCreated: '2003-01-01T00:00:00.000Z', rodcGroupCreated: AES_SINCE }, { netbios: 'CONTOSO' }, ctx.now);
    acc.add(anAccount({ sAMAccountName: 'b-ok' }));
    acc.add(anAccount({ sAMAccountName: 'krbtgt', spns: ['kadmin/changepw'] }));
    acc.add(anAccount({ sAMAccountName: 'a-rc4', supportedEncryptionTypes: 4 }));
    acc.add(anAccount({ sAMAccountName: 'c-old', pwdLastSet: OLD }));
    const r = acc.result();
    expect(r.aesSince).toBe(AES_SINCE);
    expect(r.krbtgt?.sAMAccountName).toBe('krbtgt');
    expect(r.accounts.map((a) => [a.sAMAccountName, a.risk])).toEqual([['c-old', 'fails-now'], ['a-rc4', 'at-risk'], ['b-ok', 'ok']]);
    expect(r.accounts[0].fix.commands.find((c) => c.startsWith('ktpass'))).toContain('@CONTOSO.COM');
  });

  it('derives the realm from the domain DN', () => {
    expect(realmOf('DC=corp,DC=contoso,DC=com')).toBe('CORP.CONTOSO.COM');
  });
});
