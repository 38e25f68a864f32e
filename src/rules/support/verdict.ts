/**
 * The Kerberos exchange as judge of the rules' findings (issue 10). Rules infer from the shapes of
 * directory, DNS and HTTP evidence; the exchange shows what a browser meets. So:
 *  - a failing finding the exchange confirms gets `verified: true` and the exchange as its first
 *    evidence line; the generic exchange findings fold into it when a directory rule names the cause;
 *  - a finding the exchange contradicts is demoted: a site that authenticated has no failing finding
 *    above low severity (a missing short-name SPN becomes "users of the short name fall back to NTLM");
 *  - the ranking puts an unresolvable host first, then verified failures.
 * Pure: findings and evidence in, findings out.
 */
import { compareSeverity, type AuthenticationEvidence, type Evidence, type Finding, type Severity } from '../../model/index.js';
import { CANNOT_DECRYPT } from '../../kerberos/codes.js';
import { exchangeLine, exchangeOf } from './exchange.js';
import { expectedOf, norm } from './evidence-view.js';

/** Rules whose finding an outcome confirms, when the finding is about the SPN the exchange used. */
function confirmedBy(a: AuthenticationEvidence): string[] {
  const code = a.kerberosError?.code;
  if (a.outcome === 'no-ticket' && code === 7) return ['spn-missing-fqdn', 'spn-duplicate', 'dns-cname-target', 'spn-port-mismatch', 'kerberos-exchange-failed'];
  if (a.outcome === 'no-ticket') return ['encryption-types-mismatch', 'spn-holder-disabled', 'kerberos-exchange-failed'];
  if (a.outcome === 'not-offered') return ['negotiate-not-offered'];
  if (a.outcome === 'authenticated') return a.mutual === 'failed' ? ['mutual-authentication-failed'] : [];
  if (a.outcome !== 'rejected') return [];
  if (code === 44) return ['keytab-key-version-mismatch'];
  if (code !== undefined && (CANNOT_DECRYPT as readonly number[]).includes(code)) return ['spn-wrong-account', 'kernel-mode-without-app-pool-credentials', 'server-cannot-decrypt'];
  if (code === 37) return ['clock-skew', 'kerberos-exchange-failed'];
  return ['kerberos-exchange-failed'];
}

/** Exchange-only findings that step aside when a directory rule explains the same failure. */
const FALLBACKS = new Set(['kerberos-exchange-failed', 'server-cannot-decrypt']);

/** Findings about what the exchange does not test (the double hop, another user): never demoted. */
const NOT_JUDGED = new Set(['backend-spn-missing', 'delegation-not-trusted', 'delegation-target-missing', 'user-not-delegatable', 'user-account-disabled', 'claims-auth-certificate-rollover', 'rule-error']);

/** Findings that claim no ticket can be had for the SPN (contradicted once a ticket was issued). */
const NO_TICKET_CLAIMS = new Set(['spn-missing-fqdn', 'spn-duplicate', 'spn-port-mismatch', 'dns-cname-target', 'encryption-types-mismatch', 'spn-holder-disabled']);

const atMost = (s: Severity, cap: Severity): Severity => (compareSeverity(s, cap) < 0 ? cap : s);

function withFirstLine(f: Finding, line: string): Finding {
  return { ...f, evidence: f.evidence[0] === line ? f.evidence : [line, ...f.evidence] };
}

/** Applies the exchange to the rule findings. Every finding leaves with `verified` set. */
export function judgeFindings(findings: Finding[], ev: Evidence): Finding[] {
  const a = exchangeOf(ev);
  let out = findings.map((f) => ({ ...f, verified: false }));
  if (!a) return out;
  const line = exchangeLine(a);
  const spn = a.spn ? norm(a.spn) : undefined;
  const family = confirmedBy(a);
  const aboutSpn = (f: Finding) => !f.subject || !spn || norm(f.subject) === spn || (f.ruleId === 'spn-port-mismatch' && norm(f.subject).startsWith(`${spn}:`)) || f.ruleId === 'dns-cname-target' || f.ruleId === 'clock-skew' || f.ruleId === 'kernel-mode-without-app-pool-credentials' || f.ruleId === 'negotiate-not-offered';

  // 1. Confirm.
  out = out.map((f) => (f.status === 'fail' && family.includes(f.ruleId) && aboutSpn(f) ? { ...withFirstLine(f, line), verified: true } : f));
  const namedCause = out.some((f) => f.verified && !FALLBACKS.has(f.ruleId));
  if (namedCause) out = out.filter((f) => !(FALLBACKS.has(f.ruleId) && f.verified && family.includes(f.ruleId)));

  // 2. Demote what the exchange contradicts (and open questions once a cause is proven).
  const namedOrVerified = out.some((f) => f.verified && f.status === 'fail');
  const ticketIssued = a.outcome === 'authenticated' || a.outcome === 'rejected';
  out = out.map((f) => {
    if (f.verified || NOT_JUDGED.has(f.ruleId) || f.ruleId === 'host-unresolvable') return f;
    if (a.outcome === 'authenticated') {
      const shortSpn = expectedOf(ev, 'short');
      if (f.ruleId === 'spn-missing-short-name' && shortSpn) {
        const note = `Kerberos works for ${a.spn} (${line.replace(/^Kerberos exchange /, 'exchange ')}); users who type the short name ask for ${shortSpn} and fall back to NTLM (no delegation, prompts outside the intranet zone)`;
        return { ...f, severity: atMost(f.severity, 'low'), certainty: Math.min(f.certainty, 0.5), evidence: [note, ...f.evidence] };
      }
      const note =
        f.status === 'unknown'
          ? `The Kerberos exchange authenticated ${a.as ?? 'the probe identity'} to ${a.spn} (HTTP ${a.httpStatus}): whatever this check would find, it does not stop users of that name`
          : `Contradicted by the Kerberos exchange: ${a.as ?? 'the probe identity'} authenticated to ${a.spn} (HTTP ${a.httpStatus}); this is not what breaks the site for its users`;
      return { ...f, severity: atMost(f.severity, f.status === 'unknown' ? 'info' : 'low'), certainty: Math.min(f.certainty, 0.3), evidence: [note, ...f.evidence] };
    }
    if (f.status === 'unknown' && namedOrVerified) {
      const note = `A cause is verified by the Kerberos exchange (${a.kerberosError?.name ?? a.outcome}); this open question comes after it`;
      return { ...f, severity: atMost(f.severity, 'low'), evidence: [note, ...f.evidence] };
    }
    if (ticketIssued && NO_TICKET_CLAIMS.has(f.ruleId) && f.subject && spn && norm(f.subject) === spn) {
      const note = `Contradicted by the Kerberos exchange: the KDC issued a ticket for ${a.spn}`;
      return { ...f, severity: atMost(f.severity, 'low'), certainty: Math.min(f.certainty, 0.3), evidence: [note, ...f.evidence] };
    }
    return f;
  });
  return out;
}

/** Ranking tweak on top of severity: an unresolvable host first, then verified failures. */
export function verdictPriority(f: Finding): number {
  if (f.ruleId === 'host-unresolvable' && f.status === 'fail') return 0;
  if (f.verified && f.status === 'fail') return 1;
  return 2;
}

import type { Why401Authentication } from '../../model/results.js';

export function publicAuthentication(a: AuthenticationEvidence | undefined): Why401Authentication {
  if (!a) return { attempted: false, reason: 'the exchange was not collected' };
  if (!a.attempted) return { attempted: false, ...(a.reason ? { reason: a.reason } : {}), ...(a.as ? { as: a.as } : {}), ...(a.spn ? { spn: a.spn } : {}) };
  return {
    attempted: true,
    ...(a.as ? { as: a.as } : {}),
    ...(a.spn ? { spn: a.spn } : {}),
    ...(a.outcome ? { outcome: a.outcome } : {}),
    ...(a.httpStatus !== undefined ? { httpStatus: a.httpStatus } : {}),
    ...(a.kerberosError ? { kerberosError: { code: a.kerberosError.code, name: a.kerberosError.name } } : {}),
    ...(a.user ? { user: a.user } : {}),
    ...(a.outcome === 'error' && a.message ? { message: a.message } : {}),
  };
}

