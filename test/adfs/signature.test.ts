import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMetadata } from '../../src/adfs/parse.js';
import { verifyMetadataSignature } from '../../src/adfs/signature.js';
import { buildMetadata, DAY, makeTokenCert, scratchDir, signMetadata, type TokenCert } from './support.js';

const FIXTURE = readFileSync(fileURLToPath(new URL('../fixtures/adfs/ucar-adfs-FederationMetadata.xml', import.meta.url)), 'utf8');
const UCAR_SIGNING = '2CA67C00EBD5D4E5000AC5A814C829222FB776B6';

const verify = (xml: string, pins: string[], now = new Date()) => verifyMetadataSignature(xml, parseMetadata(xml, { now }), pins, now);

describe('the signature of the real AD FS metadata', () => {
  const now = new Date();
  const ucarSigningPem = parseMetadata(FIXTURE, { now }).certificates.find((c) => c.thumbprint === UCAR_SIGNING)!.pem;

  it('verifies against its own token-signing certificate as pin', () => {
    const r = verify(FIXTURE, [ucarSigningPem]);
    expect(r.status).toBe('verified');
    expect(r.verifiedWith).toBe(UCAR_SIGNING);
  });

  it('fails once an endpoint in the document is changed', () => {
    const tampered = FIXTURE.replace('https://sts.ucar.edu/adfs/ls/', 'https://sts.evil.example/adfs/ls/');
    expect(tampered).not.toBe(FIXTURE);
    const r = verify(tampered, [ucarSigningPem]);
    expect(r.status).toBe('failed');
    expect(r.reason).toMatch(/changed after it was signed/);
  });

  it('is "no-pin" when nothing is pinned, whatever its KeyInfo says', () => {
    const r = verify(FIXTURE, []);
    expect(r.status).toBe('no-pin');
    expect(r.claimedSigner).toBe(UCAR_SIGNING);
  });
});

describe('signatures of generated metadata', () => {
  const s = scratchDir();
  const now = new Date();
  let a: TokenCert; // the pinned token-signing certificate
  let b: TokenCert; // a later legitimate one
  let attacker: TokenCert;
  let enc: TokenCert;
  beforeAll(() => {
    a = makeTokenCert(s.dir, 'ADFS Signing - adfs.contoso.test', new Date(now.getTime() - 300 * DAY), new Date(now.getTime() + 60 * DAY));
    b = makeTokenCert(s.dir, 'ADFS Signing - adfs.contoso.test', new Date(now.getTime() - 2 * DAY), new Date(now.getTime() + 363 * DAY));
    attacker = makeTokenCert(s.dir, 'ADFS Signing - adfs.contoso.test', new Date(now.getTime() - 300 * DAY), new Date(now.getTime() + 60 * DAY));
    enc = makeTokenCert(s.dir, 'ADFS Encryption - adfs.contoso.test', new Date(now.getTime() - 300 * DAY), new Date(now.getTime() + 60 * DAY));
  });
  afterAll(() => s.cleanup());

  it('verifies a document signed by the pinned certificate, with or without the md: prefix', () => {
    expect(verify(signMetadata(buildMetadata({ signing: [a], encryption: [enc] }), a), [a.certPem]).status).toBe('verified');
    expect(verify(signMetadata(buildMetadata({ signing: [a], encryption: [enc], prefix: 'md' }), a), [a.certPem]).status).toBe('verified');
  });

  it('verifies a document served with a UTF-8 byte order mark', () => {
    expect(verify(`\uFEFF${signMetadata(buildMetadata({ signing: [a] }), a)}`, [a.certPem]).status).toBe('verified');
  });

  it('verifies when the ds: prefix is declared on the root element only', () => {
    const xml = buildMetadata({ signing: [a] }).replace('<EntityDescriptor ', '<EntityDescriptor xmlns:ds="http://www.w3.org/2000/09/xmldsig#" ');
    const signed = signMetadata(xml, a, { prefixOnRoot: true });
    expect(signed).toMatch(/<ds:Signature>/);
    expect(verify(signed, [a.certPem]).status).toBe('verified');
  });

  it('verifies against any of several pins (primary and secondary of the last check)', () => {
    const xml = signMetadata(buildMetadata({ signing: [a, b] }), b);
    const r = verify(xml, [a.certPem, b.certPem]);
    expect(r.status).toBe('verified');
    expect(r.verifiedWith).toBe(b.thumbprint);
  });

  it('fails when the token-signing certificate in the signed document is swapped', () => {
    const signed = signMetadata(buildMetadata({ signing: [a] }), a);
    const swapped = signed.replaceAll(`<X509Certificate>${a.b64}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>`, `<X509Certificate>${attacker.b64}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>`);
    expect(swapped).not.toBe(signed);
    const r = verify(swapped, [a.certPem]);
    expect(r.status).toBe('failed');
    expect(r.reason).toMatch(/changed after it was signed/);
  });

  it('fails a forged document signed with another key, and names the key it was signed with', () => {
    const forged = signMetadata(buildMetadata({ signing: [attacker] }), attacker);
    const r = verify(forged, [a.certPem]);
    expect(r.status).toBe('failed');
    expect(r.claimedSigner).toBe(attacker.thumbprint);
    expect(r.reason).toContain(`signed by ${attacker.thumbprint}, which is not among the pinned certificates`);
  });

  it('fails a forged document that claims the pinned certificate in its KeyInfo', () => {
    const forged = signMetadata(buildMetadata({ signing: [attacker] }), attacker).replace(
      /(<ds:KeyInfo>[\s\S]*?<ds:X509Certificate>)[^<]+/,
      `$1${a.b64}`,
    );
    const r = verify(forged, [a.certPem]);
    expect(r.claimedSigner).toBe(a.thumbprint);
    expect(r.status).toBe('failed');
  });

  it('fails a signature that covers only part of the document', () => {
    const xml = buildMetadata({ signing: [a] }).replace('<RoleDescriptor xsi:type="fed:SecurityTokenServiceType"', '<RoleDescriptor ID="_sts" xsi:type="fed:SecurityTokenServiceType"');
    const partial = signMetadata(xml, a, { referenceXpath: "//*[@ID='_sts']" });
    const r = verify(partial, [a.certPem]);
    expect(r.status).toBe('failed');
    expect(r.reason).toMatch(/covers #_sts, not the whole document/);
  });

  it('fails a document with a second Signature element (wrapping attempt)', () => {
    const signed = signMetadata(buildMetadata({ signing: [a] }), a);
    const sig = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(signed)![0];
    const wrapped = signed.replace('</EntityDescriptor>', `<Extensions>${sig}</Extensions></EntityDescriptor>`);
    const r = verify(wrapped, [a.certPem]);
    expect(r.status).toBe('failed');
    expect(r.reason).toMatch(/2 Signature elements/);
  });

  it('reports an unsigned document as unsigned', () => {
    expect(verify(buildMetadata({ signing: [a] }), [a.certPem]).status).toBe('unsigned');
  });
});
