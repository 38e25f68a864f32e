/** `krb why-401` for the terminal: the verdict in one sentence, then the findings, then what passed. Pure. */
import type { Finding, Why401Authentication, Why401Result } from '../../src/model/index.js';
import { fixText } from './fix.js';

/**
 * The exchange in one line for cards: "Verified by Kerberos as alice@CONTOSO.COM (HTTP 200)" when it
 * authenticated, else what it met. Undefined when no exchange was attempted.
 */
export function authenticationLine(a: Why401Authentication | undefined): string | undefined {
  if (!a?.attempted) return undefined;
  const who = a.user ?? a.as ?? 'the probe identity';
  switch (a.outcome) {
    case 'authenticated':
      return `Verified by Kerberos as ${who} (HTTP ${a.httpStatus ?? '?'})`;
    case 'rejected':
      return `Kerberos exchange as ${a.as ?? who}: rejected by the server${a.kerberosError ? ` — ${a.kerberosError.name} (${a.kerberosError.code})` : ''}`;
    case 'no-ticket':
      return `Kerberos exchange as ${a.as ?? who}: no ticket for ${a.spn ?? 'the SPN'}${a.kerberosError ? ` — ${a.kerberosError.name} (${a.kerberosError.code})` : ''}`;
    case 'not-offered':
      return `Kerberos exchange as ${a.as ?? who}: the site does not offer Negotiate`;
    default:
      return `Kerberos exchange as ${a.as ?? who}: could not complete${a.message ? ` — ${a.message}` : ''}`;
  }
}

const LABEL: Record<string, string> = { critical: 'CRITICAL', high: 'HIGH', medium: 'MEDIUM', low: 'LOW', info: 'INFO' };

function findingBlock(f: Finding, n: number): string[] {
  const head = `${f.status === 'fail' ? `[${LABEL[f.severity]}]` : `[UNKNOWN · ${f.severity}]`}${f.verified ? ' [VERIFIED BY KERBEROS]' : ''}`;
  const lines = [`${n}. ${head} ${f.title}${f.subject && !f.title.includes(f.subject) ? ` — ${f.subject}` : ''}  (${f.ruleId})`];
  lines.push(`   Why: ${f.why}`);
  if (f.evidence.length) lines.push('   Evidence:', ...f.evidence.map((e) => `     - ${e}`));
  if (f.missing?.length) lines.push(`   Missing: ${f.missing.join('; ')}`);
  lines.push(`   ${f.status === 'fail' ? 'Fix' : 'Next'}: ${f.fix.summary}`);
  lines.push(...fixText(f.fix, { indent: '   ', prefix: '  > ', summary: false }));
  return lines;
}

/** Terminal rendering: the verdict in one sentence, then findings, then what passed. */
export function why401Text(r: Why401Result): string {
  const lines: string[] = [];
  lines.push(`why-401 ${r.url}`);
  if (r.canonicalHost || r.expectedSpns.length) lines.push(`  canonical host: ${r.canonicalHost ?? '?'}; browsers request: ${r.expectedSpns.join(', ') || '(no SPN: IP address)'}`);
  lines.push('', r.verdict);
  const kerberos = authenticationLine(r.authentication);
  if (kerberos && !r.verdict.startsWith('Verified by Kerberos')) lines.push(kerberos);
  else if (r.authentication && !r.authentication.attempted && r.authentication.reason) lines.push(`Kerberos exchange not attempted: ${r.authentication.reason}`);
  lines.push('');
  const fails = r.findings.filter((f) => f.status === 'fail');
  const unknowns = r.findings.filter((f) => f.status === 'unknown');
  let n = 0;
  for (const f of fails) lines.push(...findingBlock(f, ++n), '');
  if (unknowns.length) {
    lines.push('Could not decide:');
    for (const f of unknowns) lines.push(...findingBlock(f, ++n), '');
  }
  if (r.inferred.length) lines.push('Inferred:', ...r.inferred.map((i) => `  - ${i}`), '');
  if (r.collectorErrors.length) lines.push('Collector errors:', ...r.collectorErrors.map((e) => `  - ${e.collector}: ${e.message} (${e.code})`), '');
  lines.push(`passed: ${r.passed.map((p) => p.title).join(', ') || '(none)'}`);
  if (r.notApplicable?.length) lines.push(`not applicable: ${r.notApplicable.map((p) => `${p.title}: ${p.reason}`).join('; ')}`);
  lines.push(`(${(r.durationMs / 1000).toFixed(2)} s)`);
  return lines.join('\n');
}
