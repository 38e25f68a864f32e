/**
 * The state an ADFS watch keeps per metadata source between runs (pure). The checks themselves are
 * rules in the catalog (src/rules/adfs-*.ts, run by `checkAdfs` in src/rules/catalog/adfs.ts).
 */
import type { AdfsSnapshot, AdfsState } from '../model/index.js';

/** The state-store key of one source's AdfsState. */
export function adfsStateKey(source: string): string {
  return `adfs:${source}`;
}

/**
 * The state to remember after this check. An unreadable document, a signature that fails, or a
 * signature that disappeared keeps the previous state, so a forged document never becomes the pin
 * of the next check. The first readable document is trusted as is (trust on first use) unless pins
 * were given.
 */
export function nextAdfsState(current: AdfsSnapshot, previous: AdfsState | undefined): AdfsState | undefined {
  if (current.error) return previous;
  if (current.signature.status === 'failed') return previous;
  if (current.signature.status === 'unsigned' && previous?.signed) return previous;
  const signing = current.certificates.filter((c) => c.uses.includes('signing'));
  return {
    source: current.source,
    checkedAt: current.fetchedAt,
    primaryThumbprint: current.primaryThumbprint,
    signed: current.signature.status !== 'unsigned',
    signing: signing.map((c) => ({ thumbprint: c.thumbprint, subject: c.subject, notAfter: c.notAfter, pem: c.pem })),
    certificates: current.certificates.map((c) => ({
      thumbprint: c.thumbprint,
      subject: c.subject,
      uses: [...c.uses],
      notBefore: c.notBefore,
      notAfter: c.notAfter,
      primary: c.primary,
    })),
  };
}
