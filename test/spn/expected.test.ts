import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.js';
import { expectedSpnsForUrl } from '../../src/spn/expected.js';

describe('expectedSpnsForUrl', () => {
  it('uses the HTTP class for https too, and no port by default (seed 001)', () => {
    const e = expectedSpnsForUrl('https://crm.contoso.com:5555/org/main.aspx');
    expect(e.primary).toBe('HTTP/crm.contoso.com');
    expect(e.all).toEqual(['HTTP/crm.contoso.com', 'HTTP/crm']);
    expect(e.port).toBe(5555);
  });

  it('adds the port only when the client is configured to', () => {
    expect(expectedSpnsForUrl('http://crm:5555', { includePort: true }).primary).toBe('HTTP/crm:5555');
  });

  it('builds the SPN from the canonical host after CNAMEs (seed 002)', () => {
    const e = expectedSpnsForUrl('http://crmalias.contoso.com', { canonicalHost: 'ndcrmsrv1.contoso.com.' });
    expect(e.primary).toBe('HTTP/ndcrmsrv1.contoso.com');
    expect(e.urlHost).toBe('crmalias.contoso.com');
    expect(e.short).toBe('HTTP/ndcrmsrv1');
  });

  it('derives both the FQDN and short-name forms from a short URL when the DNS suffix is known (seed 003)', () => {
    const e = expectedSpnsForUrl('http://crm', { dnsSuffix: 'contoso.com' });
    expect(e.all).toEqual(['HTTP/crm', 'HTTP/crm.contoso.com']);
  });

  it('accepts a bare host name', () => {
    expect(expectedSpnsForUrl('crm.contoso.com').primary).toBe('HTTP/crm.contoso.com');
  });

  it.each(['ftp://crm', 'http://', 'not a url at all'])('rejects %j', (u) => {
    expect(() => expectedSpnsForUrl(u)).toThrow(InvalidInputError);
  });
});
