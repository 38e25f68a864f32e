import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdfsHostileXmlError, AdfsInvalidError } from '../../src/adfs/errors.js';
import { parseMetadata } from '../../src/adfs/parse.js';
import { ErrorCode } from '../../src/errors.js';
import { buildMetadata, DAY, makeTokenCert, scratchDir, type TokenCert } from './support.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/adfs/ucar-adfs-FederationMetadata.xml', import.meta.url));
const UCAR_SIGNING = '2CA67C00EBD5D4E5000AC5A814C829222FB776B6';
const UCAR_ENCRYPTION = '0F73F4C5A5C93F1CE5C9A3328E0E0D5108D44191';

describe('parseMetadata on the real AD FS metadata (sts.ucar.edu)', () => {
  const now = new Date('2026-01-15T00:00:00Z');
  const meta = parseMetadata(readFileSync(FIXTURE, 'utf8'), { now });

  it('reads one token-signing and one token-decrypting certificate, deduplicated across role descriptors', () => {
    expect(meta.certificates.map((c) => [c.thumbprint, c.use]).sort()).toEqual([
      [UCAR_ENCRYPTION, 'encryption'],
      [UCAR_SIGNING, 'signing'],
    ]);
    const signing = meta.certificates.find((c) => c.thumbprint === UCAR_SIGNING)!;
    expect(signing.roles).toEqual(expect.arrayContaining(['IDPSSODescriptor', 'SPSSODescriptor', 'RoleDescriptor (SecurityTokenServiceType)']));
    expect(meta.entityId).toBe('https://sts.ucar.edu/adfs/services/trust');
  });

  it('decodes subject, issuer, dates and both fingerprints as AD FS shows them', () => {
    const signing = meta.certificates.find((c) => c.thumbprint === UCAR_SIGNING)!;
    expect(signing.subject).toBe('CN=ADFS Signing - sts.ucar.edu');
    expect(signing.issuer).toBe('CN=ADFS Signing - sts.ucar.edu');
    expect(signing.notAfter).toBe('2018-10-01T06:24:30.000Z');
    expect(signing.notBefore).toBe('2017-10-01T06:24:30.000Z');
    expect(signing.sha256).toMatch(/^[0-9A-F]{64}$/);
    expect(signing.thumbprint).toMatch(/^[0-9A-F]{40}$/);
    const enc = meta.certificates.find((c) => c.thumbprint === UCAR_ENCRYPTION)!;
    expect(enc.subject).toBe('CN=ADFS Encryption - sts.ucar.edu');
    expect(enc.notAfter).toBe('2018-10-01T06:24:29.000Z');
  });

  it('reports both certificates as expired, with negative days left', () => {
    for (const c of meta.certificates) {
      expect(c.expired).toBe(true);
      expect(c.daysLeft).toBeLessThan(-2600);
    }
  });

  it('finds the enveloped signature and the certificate its KeyInfo claims', () => {
    expect(meta.signature.present).toBe(true);
    expect(meta.signature.keyInfoCertificate?.thumbprint).toBe(UCAR_SIGNING);
    expect(meta.rootId).toBe('_2fdb4a1b-3cf9-449a-97ea-6c54e0d018f8');
  });
});

describe('parseMetadata on generated documents', () => {
  const s = scratchDir();
  const now = new Date();
  let signing: TokenCert;
  let enc: TokenCert;
  beforeAll(() => {
    signing = makeTokenCert(s.dir, 'ADFS Signing - adfs.contoso.test', new Date(now.getTime() - 300 * DAY), new Date(now.getTime() + 5 * DAY + 3_600_000));
    enc = makeTokenCert(s.dir, 'ADFS Encryption - adfs.contoso.test', new Date(now.getTime() - 300 * DAY), new Date(now.getTime() + 65 * DAY));
  });
  afterAll(() => s.cleanup());

  it('reads md:-prefixed metadata the same as unprefixed metadata', () => {
    const plain = parseMetadata(buildMetadata({ signing: [signing], encryption: [enc] }), { now });
    const md = parseMetadata(buildMetadata({ signing: [signing], encryption: [enc], prefix: 'md' }), { now });
    expect(md.certificates.map((c) => [c.thumbprint, c.use, c.roles])).toEqual(plain.certificates.map((c) => [c.thumbprint, c.use, c.roles]));
    expect(md.certificates).toHaveLength(2);
  });

  it('counts days left from the injected clock', () => {
    const m = parseMetadata(buildMetadata({ signing: [signing] }), { now });
    expect(m.certificates[0].daysLeft).toBe(5);
    expect(m.certificates[0].expired).toBe(false);
    const later = parseMetadata(buildMetadata({ signing: [signing] }), { now: new Date(now.getTime() + 6 * DAY) });
    expect(later.certificates[0].expired).toBe(true);
  });

  it('treats a KeyDescriptor without use= as both signing and encryption', () => {
    const m = parseMetadata(buildMetadata({ signing: [], noUse: enc }), { now });
    expect(m.certificates).toHaveLength(1);
    expect(m.certificates[0].uses).toEqual(['signing', 'encryption']);
    expect(m.certificates[0].use).toBe('signing,encryption');
  });

  it('lists an undecodable certificate as a problem instead of failing the document', () => {
    const xml = buildMetadata({ signing: [signing] }).replaceAll('<X509Certificate>', '<X509Certificate>AAAA');
    const m = parseMetadata(xml, { now });
    expect(m.certificates).toHaveLength(0);
    expect(m.problems.length).toBeGreaterThan(0);
    expect(m.problems[0]).toMatch(/cannot be decoded/);
  });
});

describe('hostile and broken documents', () => {
  const now = new Date();
  const secretFile = '/etc/hostname';

  it('refuses an XXE document before parsing, without reading the file', () => {
    const xxe =
      `<?xml version="1.0"?><!DOCTYPE EntityDescriptor [<!ENTITY xxe SYSTEM "file://${secretFile}">]>` +
      `<EntityDescriptor entityID="&xxe;" xmlns="urn:oasis:names:tc:SAML:2.0:metadata"><Organization>&xxe;</Organization></EntityDescriptor>`;
    let err: unknown;
    try {
      parseMetadata(xxe, { now });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AdfsHostileXmlError);
    expect((err as AdfsHostileXmlError).code).toBe(ErrorCode.AdfsInvalid);
    expect((err as Error).message).not.toContain(readFileSync(secretFile, 'utf8').trim() || '\u0000');
  });

  it('refuses a billion-laughs document at once, expanding nothing', () => {
    const lol =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
      Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('') +
      ']><EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata"><Organization>&lol9;</Organization></EntityDescriptor>';
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    expect(() => parseMetadata(lol, { now })).toThrow(AdfsHostileXmlError);
    expect(performance.now() - started).toBeLessThan(100);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(50 * 1024 * 1024);
  });

  it('refuses a lower-case doctype and one hidden after a comment', () => {
    expect(() => parseMetadata('<!-- x --><!doctype x><EntityDescriptor/>', { now })).toThrow(AdfsHostileXmlError);
  });

  it.each([
    ['an HTML error page', '<html><body><h1>Service Unavailable</h1><br></body></html>', /not (well-formed|federation metadata)/],
    ['a JSON document', '{"error":"nope"}', /not well-formed XML/],
    ['an empty body', '   ', /empty/],
    ['another XML document', '<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>', /not federation metadata \(root element <feed>/],
    ['truncated metadata', '<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata"><IDPSSODescriptor>', /not well-formed XML/],
  ])('refuses %s as invalid metadata', (_name, body, message) => {
    let err: unknown;
    try {
      parseMetadata(body, { now, source: 'https://adfs.contoso.test/x' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AdfsInvalidError);
    expect((err as AdfsInvalidError).code).toBe(ErrorCode.AdfsInvalid);
    expect((err as Error).message).toMatch(message);
  });
});
