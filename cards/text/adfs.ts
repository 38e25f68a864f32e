/** `adfs check` for the terminal: each source's signature and certificates, then the findings. Pure. */
import type { AdfsCheckResult, SignatureStatus } from '../../src/model/index.js';

const SIGNATURE_TEXT: Record<SignatureStatus, string> = {
  verified: 'verified',
  failed: 'DOES NOT VERIFY',
  unsigned: 'unsigned',
  'no-pin': 'present, not verified (no certificate pinned; use --pin, the scheduled watch pins automatically)',
};

function day(iso: string): string {
  return iso.slice(0, 10);
}

/** Terminal rendering of an `adfs check` result. */
export function adfsCheckText(r: AdfsCheckResult): string {
  const lines: string[] = [];
  for (const s of r.sources) {
    lines.push(`AD FS metadata ${s.source}${s.entityId ? ` (entity ${s.entityId})` : ''}`);
    if (s.error) {
      lines.push(`  could not be read: ${s.error.message}`, '');
      continue;
    }
    lines.push(`  signature: ${SIGNATURE_TEXT[s.signature]}${s.signatureDetail && s.signature !== 'no-pin' ? ` — ${s.signatureDetail}` : ''}`);
    const certs = r.certificates.filter((c) => c.source === s.source);
    if (!certs.length) lines.push('  no certificates published');
    for (const c of certs) {
      const state = c.expired ? `EXPIRED ${-c.daysLeft} days ago` : `${c.daysLeft} day${c.daysLeft === 1 ? '' : 's'} left`;
      lines.push(
        `  ${c.use}${c.uses.includes('signing') ? (c.primary ? ' (primary)' : ' (secondary)') : ''}: ${c.subject}`,
        `    thumbprint ${c.thumbprint}  valid ${day(c.notBefore)} → ${day(c.notAfter)}  ${state}`,
      );
    }
    lines.push('');
  }
  if (!r.findings.length) {
    lines.push('No problems found.');
    return lines.join('\n');
  }
  lines.push(`${r.findings.length} finding${r.findings.length === 1 ? '' : 's'}:`);
  for (const f of r.findings) {
    lines.push('', `[${f.severity.toUpperCase()}] ${f.title}`);
    for (const e of f.evidence) lines.push(`    ${e}`);
    lines.push(`  Fix: ${f.fix.summary}`);
    for (const c of f.fix.commands) lines.push(`    ${c}`);
  }
  return lines.join('\n');
}
