import { describe, expect, it } from 'vitest';
import { decodeEncryptionTypes, decodeUac, fileTimeToIso, generalizedTimeToIso } from '../../src/directory/uac.js';
import { rangedKey, values } from '../../src/directory/ldap-entry.js';
import { sidToBuffer, sidToString } from '../../src/directory/sid.js';

describe('userAccountControl decoding', () => {
  it('decodes a delegation-trusted service account', () => {
    const u = decodeUac(0x200 | 0x10000 | 0x80000);
    expect(u).toMatchObject({ normalAccount: true, dontExpirePassword: true, trustedForDelegation: true, disabled: false, notDelegated: false });
    expect(u.names).toEqual(['NORMAL_ACCOUNT', 'DONT_EXPIRE_PASSWORD', 'TRUSTED_FOR_DELEGATION']);
  });
  it('decodes a disabled, sensitive account and a constrained-delegation computer', () => {
    expect(decodeUac(0x202 | 0x100000)).toMatchObject({ disabled: true, notDelegated: true });
    expect(decodeUac(0x1000 | 0x1000000)).toMatchObject({ workstationTrust: true, trustedToAuthForDelegation: true });
  });
  it('decodes msDS-SupportedEncryptionTypes', () => {
    expect(decodeEncryptionTypes(4)).toEqual(['RC4-HMAC']);
    expect(decodeEncryptionTypes(0x18)).toEqual(['AES128-CTS-HMAC-SHA1-96', 'AES256-CTS-HMAC-SHA1-96']);
    expect(decodeEncryptionTypes(undefined)).toEqual([]);
  });
});

describe('time and attribute helpers', () => {
  it('converts FILETIME and GeneralizedTime', () => {
    expect(fileTimeToIso('133000000000000000')).toBe('2022-06-18T04:26:40.000Z');
    expect(fileTimeToIso('0')).toBeUndefined();
    expect(generalizedTimeToIso('20261121235230.0Z')).toBe('2026-11-21T23:52:30.000Z');
    expect(generalizedTimeToIso('20261121235230.5+0100')).toBe('2026-11-21T22:52:30.500Z');
    expect(generalizedTimeToIso('garbage')).toBeUndefined();
  });
  it('normalises single values to arrays and finds ranged attributes', () => {
    const entry = { dn: 'CN=x', servicePrincipalName: 'HTTP/x', 'servicePrincipalName;range=0-1499': ['a', 'b'] };
    expect(values(entry, 'serviceprincipalname')).toEqual(['HTTP/x']);
    expect(rangedKey(entry, 'servicePrincipalName')).toEqual({ key: 'servicePrincipalName;range=0-1499', end: '1499' });
    expect(values({ dn: 'x' }, 'memberOf')).toEqual([]);
  });
  it('round-trips SIDs', () => {
    const sid = 'S-1-5-21-2481277994-679065822-2986148889-525';
    expect(sidToString(sidToBuffer(sid))).toBe(sid);
  });
});
