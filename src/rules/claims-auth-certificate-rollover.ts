import { defineRule, notApplicable, unknown, type RuleResult } from './support/define.js';
import { mostSevere, type Severity } from '../model/index.js';
import { isClaimsRedirect } from '../collectors/http-probe.js';
import { adfs as adfsCmd, iisreset } from '../fix/index.js';

/** ADFS finding codes (src/adfs/check.ts) that explain a claims-auth 401 after a certificate change. */
const ROLLOVER_CODES = new Set(['adfs-new-signing-cert', 'adfs-primary-changed', 'adfs-thumbprint-mismatch', 'adfs-cert-expired']);

const RP_FIX = [adfsCmd.updateRelyingPartyTrust('<relying party>'), iisreset, adfsCmd.restartService()];

export default defineRule({
  id: 'claims-auth-certificate-rollover',
  title: 'ADFS rolled its token-signing/decrypting certificates over and the claims site still trusts the old ones',
  severity: 'critical',
  why: 'A claims-based (IFD) site accepts tokens only from the signing certificate it has on record; after ADFS Auto Certificate Rollover the new tokens are rejected (ID4175: issuer not recognized by the IssuerNameRegistry) and users are prompted or see 401.',
  references: ['seed 004: KB 2686840, Auto Certificate Rollover, ID4175; update the federation metadata, iisreset, restart ADFS'],
  checks: 'ADFS certificate rollover (claims sites)',
  check(ev): RuleResult[] {
    const claims = ev.http?.ok && ev.http.status !== undefined && ev.http.status >= 300 && ev.http.status < 400 && isClaimsRedirect(ev.http.location);
    const adfs = ev.adfs;
    if (!adfs) {
      if (!claims) return notApplicable('not a claims-based site (no redirect to /adfs/ls) and no ADFS metadata configured');
      return [
        unknown(
          ['the ADFS federation metadata (set KRBOPS_ADFS_METADATA_URLS, or run `krbops adfs check <metadata url>`)'],
          [`${ev.target.url} redirects to ${ev.http!.location!.slice(0, 120)}: a claims-based (IFD) site`],
          { summary: 'Compare the ADFS token-signing certificates with what the relying party trusts.', commands: [adfsCmd.getCertificate('Token-Signing'), adfsCmd.relyingPartyTrusts()] },
          'adfs',
        ),
      ];
    }
    if (!adfs.ok) {
      return [unknown([`the ADFS federation metadata (${adfs.error?.message ?? 'could not be read'})`], adfs.source ? [`Metadata source: ${adfs.source}`] : [], { summary: 'Check that the metadata endpoint answers.', commands: [adfs.source && /^https?:\/\//i.test(adfs.source) ? adfsCmd.fetch(adfs.source) : adfsCmd.fetchMetadata('<adfs>')] }, 'adfs')];
    }
    const relevant = adfs.findings.filter((f) => ROLLOVER_CODES.has(f.ruleId));
    const signing = adfs.certificates.filter((c) => c.uses.includes('signing'));
    const secondary = signing.filter((c) => !c.primary);
    const evidence: string[] = [];
    if (adfs.source) evidence.push(`Metadata: ${adfs.source}`);
    for (const c of signing) evidence.push(`Token-signing ${c.primary ? 'primary' : 'secondary'}: ${c.thumbprint}${c.subject ? ` ${c.subject}` : ''}${c.notAfter ? `, valid to ${c.notAfter}` : ''}`);
    if (!relevant.length && !(claims && secondary.length)) return [];
    for (const f of relevant) evidence.push(`ADFS check ${f.ruleId}: ${f.title}`);
    if (claims) evidence.push(`${ev.target.url} redirects to ADFS (claims-based authentication)`);
    const worst = mostSevere(relevant.map((f): Severity => f.severity));
    const commands = [...new Set([...relevant.flatMap((f) => f.fix.commands), ...RP_FIX])];
    return [
      {
        subject: 'adfs',
        severity: relevant.some((f) => f.ruleId === 'adfs-thumbprint-mismatch' || f.ruleId === 'adfs-cert-expired') ? 'critical' : worst === 'critical' ? 'critical' : 'high',
        certainty: relevant.length ? 0.85 : 0.5,
        evidence,
        fix: {
          summary: 'Update the relying party trusts from the federation metadata, iisreset the CRM servers, restart ADFS; if it persists, reconfigure claims-based authentication and IFD in CRM Deployment Manager (seed 004).',
          commands,
        },
      },
    ];
  },
});
