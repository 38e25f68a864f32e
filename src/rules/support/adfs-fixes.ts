/**
 * Fix steps of the ADFS findings, from seed 004 (KB 2686840: "401 Unauthorized Access is denied" in
 * Dynamics CRM with claims-based authentication after AD FS AutoCertificateRollover).
 */
import type { Fix } from '../../model/index.js';
import { adfs, curl, iisreset } from '../../fix/index.js';

export const KB_2686840 = 'seed 004 / KB 2686840: 401 Unauthorized with claims-based authentication after AD FS certificate rollover';

/**
 * Relying parties must take the current token-signing certificate from the federation metadata
 * (the seed's resolution, in order), `rps` being the relying party trust names.
 */
export function updateFederationMetadataFix(rps: string[], lead: string): Fix {
  const names = rps.length ? rps : ['CRM'];
  return {
    summary:
      `${lead} On the AD FS server: list the token-signing certificates (primary and secondary), then update each ` +
      `relying party trust from its federation metadata (AD FS Management → Relying Party Trusts → right-click → ` +
      `Update Federation Metadata). On the CRM server: iisreset. On the AD FS server: restart the AD FS service. ` +
      `If users still get 401: in CRM Deployment Manager disable Claims-Based Authentication, iisreset, configure ` +
      `Claims-Based Authentication and IFD again with the same settings, iisreset (KB 2686840).`,
    commands: [adfs.getCertificate('Token-Signing'), ...names.map((rp) => adfs.updateRelyingPartyTrust(rp)), iisreset, adfs.restartService()],
  };
}

/** A certificate that expires: let AD FS roll it over (or force it), then the relying parties follow. */
export function renewCertificateFix(kind: 'Token-Signing' | 'Token-Decrypting', rps: string[], expired: boolean): Fix {
  const names = rps.length ? rps : ['CRM'];
  return {
    summary:
      (expired
        ? `The ${kind} certificate has expired. On the AD FS server force a new one now (-Urgent makes it primary at once), `
        : `On the AD FS server check that AutoCertificateRollover is on (it creates the secondary ${kind} certificate ` +
          `CertificateGenerationThreshold days before expiry and promotes it CertificatePromotionThreshold days later) or renew it, `) +
      `then update every relying party from the federation metadata, iisreset on the CRM server and restart AD FS (KB 2686840).`,
    commands: [
      adfs.rolloverSettings(),
      adfs.getCertificate(kind),
      adfs.updateCertificate(kind, { urgent: expired }),
      ...names.map((rp) => adfs.updateRelyingPartyTrust(rp)),
      iisreset,
      adfs.restartService(),
    ],
  };
}

/** The metadata endpoint does not answer or returns something else than metadata. */
export function endpointFix(source: string, options: { tls?: boolean } = {}): Fix {
  const isUrl = /^https:\/\//i.test(source);
  const tlsHint = options.tls === true;
  return {
    summary: isUrl
      ? `Check the metadata URL from the bot's host, then on the AD FS server check that the AD FS service runs and the federation metadata endpoint is enabled.` +
        (tlsHint ? ' If AD FS uses an internal CA, give its PEM bundle in KRBOPS_ADFS_CA_FILE.' : '')
      : 'Check the file: it must be the FederationMetadata.xml saved from the AD FS server.',
    commands: isUrl ? [curl.status(source), adfs.serviceStatus(), adfs.metadataEndpoint(), adfs.restartService()] : [adfs.metadataEndpoint()],
  };
}

/** The metadata signature does not verify against the pinned certificate. */
export function signatureFix(source: string): Fix {
  return {
    summary:
      'Do not update any relying party from this metadata until it is explained. On the AD FS server, compare the token-signing ' +
      'certificates with what the metadata publishes; if AD FS really has a new certificate (a manual rollover), pin it: run ' +
      '`krbops adfs check <url> --pin <certificate.pem>` with the certificate exported from the AD FS server. Otherwise treat the ' +
      `endpoint as compromised or intercepted (${source}).`,
    commands: [adfs.getCertificate('Token-Signing'), adfs.exportPrimarySigningCertificate()],
  };
}
