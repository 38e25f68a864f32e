/** Plain ADFS check evidence for the ADFS rules' tests: certificates, snapshots and watch states around a fixed clock. */
import type { AdfsCertificate, AdfsCheckOptions, AdfsSnapshot, AdfsState, SignatureCheck } from '../../src/model/index.js';

export const DAY = 86_400_000;
export const NOW = new Date('2026-03-01T12:00:00Z');
export const SRC = 'https://adfs.contoso.com/FederationMetadata/2007-06/FederationMetadata.xml';
export const A = 'A'.repeat(40);
export const B = 'B'.repeat(40);
export const E = 'E'.repeat(40);

export const at = (days: number) => new Date(NOW.getTime() + days * DAY).toISOString();

export function aCert(o: Partial<AdfsCertificate> & { thumbprint: string; notAfterDays: number; notBeforeDays?: number }): AdfsCertificate {
  const { notAfterDays, notBeforeDays, ...rest } = o;
  const uses = rest.uses ?? ['signing'];
  return {
    use: uses.join(','),
    uses,
    subject: uses.includes('signing') ? 'CN=ADFS Signing - adfs.contoso.com' : 'CN=ADFS Encryption - adfs.contoso.com',
    issuer: 'CN=ADFS Signing - adfs.contoso.com',
    sha256: 'C'.repeat(64),
    serialNumber: '01',
    notBefore: at(notBeforeDays ?? -365),
    notAfter: at(notAfterDays),
    daysLeft: Math.floor(notAfterDays),
    expired: notAfterDays <= 0,
    roles: ['IDPSSODescriptor'],
    primary: false,
    pem: `-----BEGIN CERTIFICATE-----\n${rest.thumbprint}\n-----END CERTIFICATE-----\n`,
    ...rest,
  };
}

export function aSnapshot(certificates: AdfsCertificate[], signature: Partial<SignatureCheck> = {}, extra: Partial<AdfsSnapshot> = {}): AdfsSnapshot {
  const primary = certificates.find((c) => c.primary);
  return {
    source: SRC,
    fetchedAt: NOW.toISOString(),
    entityId: 'http://adfs.contoso.com/adfs/services/trust',
    certificates,
    primaryThumbprint: primary?.thumbprint,
    signature: { status: 'verified', pinnedThumbprints: [A], verifiedWith: primary?.thumbprint, ...signature },
    problems: [],
    ...extra,
  };
}

export function aState(o: Partial<Omit<AdfsState, 'signing'>> & { signing: string[]; primary?: string }): AdfsState {
  return {
    source: SRC,
    checkedAt: at(-0.25),
    primaryThumbprint: o.primary ?? o.signing[0],
    signed: o.signed ?? true,
    signing: o.signing.map((t) => ({ thumbprint: t, subject: 'CN=ADFS Signing - adfs.contoso.com', notAfter: at(10), pem: 'x' })),
    certificates: o.certificates ?? o.signing.map((t) => ({ thumbprint: t, subject: 'CN=ADFS Signing - adfs.contoso.com', uses: ['signing'], notBefore: at(-365), notAfter: at(10), primary: t === (o.primary ?? o.signing[0]) })),
  };
}

export const opts = (o: Partial<AdfsCheckOptions> = {}): AdfsCheckOptions => ({ now: NOW, warnDays: [30, 14, 7, 1], expectedThumbprints: {}, ...o });
