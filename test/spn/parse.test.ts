import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.js';
import { aliasHostSpn, formatSpn, isFqdn, parseSpn, shortHost, spnEquals } from '../../src/spn/parse.js';

describe('parseSpn', () => {
  it.each([
    ['HTTP/crm', { serviceClass: 'HTTP', host: 'crm' }],
    ['HTTP/crm.contoso.com', { serviceClass: 'HTTP', host: 'crm.contoso.com' }],
    ['HTTP/ndcrmsrv1:5555', { serviceClass: 'HTTP', host: 'ndcrmsrv1', port: 5555 }],
    ['MSSQLSvc/ndsqlsrv1.contoso.com:1433', { serviceClass: 'MSSQLSvc', host: 'ndsqlsrv1.contoso.com', port: 1433 }],
    ['ldap/dc1.contoso.com/contoso.com', { serviceClass: 'ldap', host: 'dc1.contoso.com', serviceName: 'contoso.com' }],
    ['  HOST/web01  ', { serviceClass: 'HOST', host: 'web01' }],
  ])('parses %s', (text, expected) => {
    expect(parseSpn(text)).toMatchObject(expected);
  });

  it.each([
    ['', 'empty'],
    ['HTTP', 'no "/"'],
    ['/crm', 'service class is empty'],
    ['HTTP/', 'host is empty'],
    ['HTTP/crm:', 'port after ":" is empty'],
    ['HTTP/crm:99999', 'outside 1–65535'],
    ['HTTP/crm:80:81', 'more than one ":"'],
    ['HTTP/a/b/c', 'more than three'],
    ['HTTP/cr m', 'white space'],
    ['HTTP/crm)(objectClass=*', 'not allowed in a host name'],
    ['HT*TP/crm', 'service class may only contain'],
  ])('rejects %j with the reason (%s)', (text, reason) => {
    expect(() => parseSpn(text)).toThrow(InvalidInputError);
    expect(() => parseSpn(text)).toThrow(reason);
  });

  it('rejects a 10 000-character SPN without echoing it whole', () => {
    const long = `HTTP/${'a'.repeat(10_000)}`;
    try {
      parseSpn(long);
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message.length).toBeLessThan(300);
    }
  });

  it('compares SPNs case-insensitively, as the KDC does', () => {
    expect(spnEquals('HTTP/CRM.contoso.com', 'http/crm.CONTOSO.com')).toBe(true);
    expect(spnEquals('HTTP/crm', 'HTTP/crm:80')).toBe(false);
  });

  it('formats, tells FQDNs from short names and IPs', () => {
    expect(formatSpn({ serviceClass: 'HTTP', host: 'crm', port: 5555 })).toBe('HTTP/crm:5555');
    expect(isFqdn('crm.contoso.com')).toBe(true);
    expect(isFqdn('crm')).toBe(false);
    expect(isFqdn('10.0.0.1')).toBe(false);
    expect(shortHost('crm.contoso.com')).toBe('crm');
  });

  it('finds the HOST/ SPN that answers for HTTP/ through sPNMappings', () => {
    const m = new Map([['http', 'host'], ['cifs', 'host']]);
    expect(aliasHostSpn('HTTP/web01.contoso.com', m)).toBe('host/web01.contoso.com');
    expect(aliasHostSpn('MSSQLSvc/sql:1433', m)).toBeUndefined();
  });
});
