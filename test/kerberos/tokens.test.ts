import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { codeOfMitMessage, kerberosErrorCode, kerberosErrorName } from '../../src/kerberos/codes.js';
import { readInt, readTlv } from '../../src/kerberos/der.js';
import { TokenDecodeError, decodeNegotiateToken, decodeTokenBytes, kerberosMessageOf } from '../../src/kerberos/tokens.js';

/** Tokens captured from the Kerberos web lab (test/lab/web.ts): real MIT client, real mod_auth_gssapi acceptor. */
const captured = JSON.parse(readFileSync(new URL('../fixtures/negotiate/web-lab.json', import.meta.url), 'utf8')) as {
  sites: Record<string, { spn: string; status: number; authorization: string; wwwAuthenticate: string }>;
};
const b64 = (header: string) => header.replace(/^Negotiate\s+/, '');

describe('request tokens (Authorization: Negotiate) captured from the lab', () => {
  const cases = [
    { site: 'intranet', sname: 'HTTP/intranet.contoso.test', kvno: 1 },
    { site: 'timesheets', sname: 'HTTP/timesheets.contoso.test', kvno: 1 },
    { site: 'wiki', sname: 'HTTP/wiki.contoso.test', kvno: 1 },
    { site: 'helpdesk', sname: 'HTTP/helpdesk.contoso.test', kvno: 2 },
    { site: 'expenses', sname: 'HTTP/expenses.contoso.test', kvno: 1 },
  ];
  it.each(cases)('reads the ticket of $site: $sname, kvno $kvno, RC4, mutual authentication asked', ({ site, sname, kvno }) => {
    const d = decodeNegotiateToken(b64(captured.sites[site].authorization));
    expect(d).toMatchObject({ wrapper: 'spnego-init', mechTypes: ['1.2.840.113554.1.2.2'] });
    expect(kerberosMessageOf(d)).toEqual({ type: 'ap-req', sname, realm: 'CONTOSO.TEST', etype: 23, etypeName: 'rc4-hmac', kvno, mutualRequired: true });
  });
});

describe('reply tokens (WWW-Authenticate: Negotiate) captured from the lab', () => {
  const rejects = [
    { site: 'timesheets', code: 35, name: 'KRB_AP_ERR_NOTUS', sname: 'HTTP/timesheets.contoso.test' },
    { site: 'wiki', code: 31, name: 'KRB_AP_ERR_BAD_INTEGRITY', sname: 'HTTP/wiki.contoso.test' },
    { site: 'helpdesk', code: 44, name: 'KRB_AP_ERR_BADKEYVER', sname: 'HTTP/helpdesk.contoso.test' },
    // The skewed server names itself by its keytab principal, not by the SPN.
    { site: 'expenses', code: 37, name: 'KRB_AP_ERR_SKEW', sname: 'websvc-expenses' },
  ];
  it.each(rejects)('decodes the reject of $site as $name ($code) from $sname', ({ site, code, name, sname }) => {
    const d = decodeNegotiateToken(b64(captured.sites[site].wwwAuthenticate));
    expect(d).toMatchObject({ wrapper: 'spnego-resp', negState: 'reject' });
    const m = kerberosMessageOf(d);
    expect(m).toMatchObject({ type: 'krb-error', code, name, sname, realm: 'CONTOSO.TEST' });
    expect(m?.type === 'krb-error' && m.stime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
  });

  it("shows the skewed server's clock in stime, 10 minutes ahead of the healthy server's reply", () => {
    const skew = kerberosMessageOf(decodeNegotiateToken(b64(captured.sites.expenses.wwwAuthenticate)));
    const other = kerberosMessageOf(decodeNegotiateToken(b64(captured.sites.helpdesk.wwwAuthenticate)));
    if (skew?.type !== 'krb-error' || other?.type !== 'krb-error') throw new Error('expected two KRB-ERRORs');
    const minutes = (Date.parse(skew.stime) - Date.parse(other.stime)) / 60_000;
    expect(minutes).toBeGreaterThan(9);
    expect(minutes).toBeLessThan(11);
  });

  it('decodes the healthy site reply as accept-completed with an AP-REP (mutual authentication)', () => {
    const d = decodeNegotiateToken(b64(captured.sites.intranet.wwwAuthenticate));
    expect(d).toMatchObject({ wrapper: 'spnego-resp', negState: 'accept-completed', supportedMech: '1.2.840.113554.1.2.2' });
    expect(kerberosMessageOf(d)).toMatchObject({ type: 'ap-rep', etype: 18 });
  });
});

describe('malformed and foreign tokens', () => {
  const full = Buffer.from(b64(captured.sites.helpdesk.wwwAuthenticate), 'base64');
  it.each([
    { name: 'an empty token', input: '', error: /not base64|empty/ },
    { name: 'text that is not base64', input: 'not a token!', error: /not base64/ },
    { name: 'a truncated reject', input: full.subarray(0, full.length - 7).toString('base64'), error: /not valid DER: truncated/ },
    { name: 'trailing garbage', input: Buffer.concat([full, Buffer.from([0, 0])]).toString('base64'), error: /trailing bytes/ },
    { name: 'an indefinite (BER) length', input: Buffer.from([0xa1, 0x80, 0, 0]).toString('base64'), error: /indefinite length/ },
    { name: 'a huge length', input: Buffer.from([0xa1, 0x85, 1, 0, 0, 0, 0]).toString('base64'), error: /too large/ },
    { name: 'an OCTET STRING', input: Buffer.from([4, 1, 0]).toString('base64'), error: /not a SPNEGO, Kerberos or NTLM token/ },
  ])('refuses $name with a named reason', ({ input, error }) => {
    expect(() => decodeNegotiateToken(input)).toThrow(TokenDecodeError);
    expect(() => decodeNegotiateToken(input)).toThrow(error);
  });

  it('names an NTLM token instead of decoding it', () => {
    const type1 = Buffer.concat([Buffer.from('NTLMSSP\0', 'latin1'), Buffer.from([1, 0, 0, 0]), Buffer.alloc(20)]);
    expect(decodeTokenBytes(type1)).toEqual({ wrapper: 'ntlm', messageType: 1 });
  });

  it('reads every truncation of a captured token without reading past it', () => {
    const req = Buffer.from(b64(captured.sites.wiki.authorization), 'base64');
    for (let n = 0; n < req.length; n += 97) expect(() => decodeTokenBytes(req.subarray(0, n))).toThrow(TokenDecodeError);
  });
});

describe('DER integers and error codes', () => {
  it.each([
    { bytes: [2, 1, 0x2c], value: 44 },
    { bytes: [2, 1, 0xff], value: -1 },
    { bytes: [2, 2, 0x00, 0x80], value: 128 },
    { bytes: [2, 4, 0x96, 0x00, 0x00, 0x00], value: -1778384896 },
  ])('reads $bytes as $value', ({ bytes, value }) => expect(readInt(readTlv(Buffer.from(bytes)))).toBe(value));

  it('names the codes the issue lists and maps MIT messages to them', () => {
    expect([7, 31, 35, 37, 41, 44].map(kerberosErrorName)).toEqual(['KDC_ERR_S_PRINCIPAL_UNKNOWN', 'KRB_AP_ERR_BAD_INTEGRITY', 'KRB_AP_ERR_NOTUS', 'KRB_AP_ERR_SKEW', 'KRB_AP_ERR_MODIFIED', 'KRB_AP_ERR_BADKEYVER']);
    expect(kerberosErrorCode('KRB_AP_ERR_NOT_US')).toBe(35);
    expect(codeOfMitMessage('Unspecified GSS failure.  Minor code may provide more information: Server not found in Kerberos database')).toBe(7);
    expect(codeOfMitMessage('something else')).toBeUndefined();
  });
});
