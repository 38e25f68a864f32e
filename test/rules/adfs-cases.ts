/**
 * The ADFS catalog's table: one metadata check per failure mode (seed 004, KB 2686840) and healthy
 * documents, each with the exact set of rules that fire. Run by adfs-rules.test.ts; the catalog
 * meta-test reads it for a firing and a non-firing case per rule.
 */
import { ErrorCode } from '../../src/errors.js';
import type { AdfsCheckEvidence } from '../../src/model/index.js';
import { A, aCert, aSnapshot, aState, at, B, E, opts, SRC } from './adfs-builders.js';

export interface AdfsCase {
  name: string;
  evidence: AdfsCheckEvidence;
  /** The exact set of rule ids with a failing finding (sorted comparison). */
  fails: string[];
}

const primaryA = () => aCert({ thumbprint: A, notAfterDays: 300, primary: true });
const secondaryB = () => aCert({ thumbprint: B, notAfterDays: 365, notBeforeDays: -1 });
const decrypting = (notAfterDays = 300) => aCert({ thumbprint: E, notAfterDays, uses: ['encryption'] });

export const adfsCases: AdfsCase[] = [
  {
    name: 'is silent for a verified document whose primary is far from expiry and trusted by CRM',
    evidence: { snapshot: aSnapshot([primaryA(), decrypting()]), previous: aState({ signing: [A] }), options: opts({ expectedThumbprints: { CRM: [A] } }) },
    fails: [],
  },
  {
    name: 'reports an endpoint that does not answer, and the expiry it still watches from the last state',
    evidence: {
      snapshot: aSnapshot([], {}, { error: { code: ErrorCode.AdfsUnavailable, name: 'AdfsTimeoutError', message: `No complete answer from ${SRC} within 10000 ms.` } }),
      previous: (() => {
        const s = aState({ signing: [A] });
        s.certificates[0]!.notAfter = at(6);
        return s;
      })(),
      options: opts(),
    },
    fails: ['adfs-unreachable', 'adfs-cert-expiring'],
  },
  {
    name: 'reports a document that is not metadata',
    evidence: { snapshot: aSnapshot([], {}, { error: { code: ErrorCode.AdfsInvalid, name: 'AdfsInvalidError', message: 'not well-formed XML' } }), options: opts() },
    fails: ['adfs-metadata-invalid'],
  },
  {
    name: 'reports metadata without a token-signing certificate',
    evidence: { snapshot: aSnapshot([decrypting()]), options: opts() },
    fails: ['adfs-metadata-invalid'],
  },
  {
    name: 'reports a signature that does not verify and ignores the rollover claims of that document',
    evidence: {
      snapshot: aSnapshot([primaryA(), secondaryB()], { status: 'failed', reason: 'signature value does not verify', claimedSigner: B }),
      previous: aState({ signing: [A] }),
      options: opts(),
    },
    fails: ['adfs-signature-invalid'],
  },
  {
    name: 'reports a signature that disappeared',
    evidence: { snapshot: aSnapshot([primaryA()], { status: 'unsigned', pinnedThumbprints: [] }), previous: aState({ signing: [A] }), options: opts() },
    fails: ['adfs-signature-invalid'],
  },
  {
    name: 'reports an expired primary token-signing certificate',
    evidence: { snapshot: aSnapshot([aCert({ thumbprint: A, notAfterDays: -2, primary: true })]), options: opts() },
    fails: ['adfs-cert-expired'],
  },
  {
    name: 'warns at the 7-day threshold for a token-decrypting certificate',
    evidence: { snapshot: aSnapshot([primaryA(), decrypting(5)]), options: opts() },
    fails: ['adfs-cert-expiring'],
  },
  {
    name: 'reports the AutoCertificateRollover secondary before it is promoted',
    evidence: { snapshot: aSnapshot([primaryA(), secondaryB()]), previous: aState({ signing: [A] }), options: opts() },
    fails: ['adfs-new-signing-cert'],
  },
  {
    name: 'reports the promotion of the secondary (the primary changed since the last check)',
    evidence: {
      snapshot: aSnapshot([aCert({ thumbprint: A, notAfterDays: 300 }), aCert({ thumbprint: B, notAfterDays: 365, notBeforeDays: -1, primary: true })]),
      previous: aState({ signing: [A, B], primary: A }),
      options: opts({ expectedThumbprints: { CRM: [A, B] } }),
    },
    fails: ['adfs-primary-changed'],
  },
  {
    name: 'reports a relying party that does not trust the primary (KB 2686840 outage)',
    evidence: { snapshot: aSnapshot([primaryA()]), previous: aState({ signing: [A] }), options: opts({ expectedThumbprints: { CRM: [B] } }) },
    fails: ['adfs-thumbprint-mismatch'],
  },
];
