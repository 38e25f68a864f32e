/**
 * The rule engine: run every rule over the evidence, turn results into Findings, rank them.
 * A rule that throws becomes a `rule-error` finding and the others still run (cdk-nag's
 * behaviour): one broken rule must not hide the real cause.
 */
import { type Evidence, type Finding, type Fix, type NotApplicableCheck, type PassedCheck, compareSeverity, type Why401Result } from './model/index.js';
import type { Rule, RuleResult } from './rules/support/define.js';
import { exchangeOf } from './rules/support/exchange.js';
import { judgeFindings, publicAuthentication, verdictPriority } from './rules/support/verdict.js';

export interface RuleRun<X extends object = object> {
  /** Ranked: failures first (severity, then certainty), then unknowns (same order). */
  findings: (Finding & Partial<X>)[];
  /** Rules that ran and found nothing wrong. */
  passed: PassedCheck[];
  notApplicable: NotApplicableCheck[];
}

/** The fix without empty optional lists (the JSON stays as it was for rules that have none). */
function fixOf(fix: Fix): Fix {
  const { spnChanges, alternatives, choices, ...rest } = fix;
  return { ...rest, ...(alternatives?.length ? { alternatives } : {}), ...(spnChanges?.length ? { spnChanges } : {}), ...(choices?.length ? { choices } : {}) };
}

/** The catalog's own fields after the common ones (key order is the JSON's order). */
function withExtra<X extends object>(f: Finding, extra: X | undefined): Finding & Partial<X> {
  const none: Partial<X> = {};
  return { ...f, ...(extra ?? none) };
}

function toFinding<E, X extends object>(rule: Rule<E, X>, r: RuleResult<X>): Finding & Partial<X> {
  const status = r.status === 'unknown' ? 'unknown' : 'fail';
  const fix = r.fix ?? { summary: 'No automatic fix; see the evidence.', commands: [] };
  return withExtra({
    ruleId: rule.id,
    severity: r.severity ?? rule.severity,
    status,
    title: r.title ?? rule.title,
    why: r.why ?? rule.why,
    evidence: r.evidence,
    fix: fixOf(fix),
    ...(r.missing?.length ? { missing: r.missing } : {}),
    certainty: r.certainty ?? (status === 'unknown' ? 0.3 : 0.9),
    ...(r.subject ? { subject: r.subject } : {}),
    ...(rule.references.length ? { references: rule.references } : {}),
  }, r.extra);
}

/** Sort order: fail before unknown, then severity, then certainty (descending), then rule order. */
export function rankFindings<F extends Finding>(findings: F[]): F[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => {
      const p = verdictPriority(a.f) - verdictPriority(b.f);
      if (p) return p;
      if (a.f.status !== b.f.status) return a.f.status === 'fail' ? -1 : 1;
      const s = compareSeverity(a.f.severity, b.f.severity);
      if (s) return s;
      if (a.f.certainty !== b.f.certainty) return b.f.certainty - a.f.certainty;
      return a.i - b.i;
    })
    .map(({ f }) => f);
}

/**
 * Runs one catalog (src/rules/index.ts) over its evidence: the why-401 rules over `Evidence`, the
 * ADFS rules over a metadata check, the watch rules over an SPN issue or an account.
 */
export function runRules<E, X extends object = object>(evidence: E, rules: readonly Rule<E, X>[]): RuleRun<X> {
  const findings: (Finding & Partial<X>)[] = [];
  const passed: PassedCheck[] = [];
  const notApplicable: NotApplicableCheck[] = [];
  for (const rule of rules) {
    let results: RuleResult<X>[];
    try {
      results = rule.check(evidence);
      if (!Array.isArray(results)) throw new TypeError(`check() returned ${typeof results}, not an array`);
    } catch (e) {
      findings.push(withExtra<X>({
        ruleId: 'rule-error',
        severity: 'info',
        status: 'unknown',
        title: `The check "${rule.title}" could not run`,
        why: 'A rule failed on this evidence; its question stays open. The other checks ran normally.',
        evidence: [`Rule ${rule.id} threw: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`.slice(0, 300)],
        fix: { summary: `Check "${rule.checks}" by hand, and report the error (rule ${rule.id}) to the krbops maintainers.`, commands: [] },
        missing: [rule.checks],
        certainty: 0,
        subject: rule.id,
      }, undefined));
      continue;
    }
    const na = results.filter((r) => r.status === 'not-applicable');
    const real = results.filter((r) => r.status !== 'not-applicable');
    if (real.length) findings.push(...real.map((r) => toFinding(rule, r)));
    else if (na.length) notApplicable.push({ ruleId: rule.id, title: rule.checks, reason: na[0]?.reason ?? 'not applicable' });
    else passed.push({ ruleId: rule.id, title: rule.checks });
  }
  return { findings: rankFindings(findings), passed, notApplicable };
}

/** The one-sentence answer: the top failing finding as the most likely cause, or a healthy verdict. */
export function verdictFor(target: { url: string; canonicalHost?: string }, run: RuleRun, evidence?: Evidence): string {
  const top = run.findings.find((f) => f.status === 'fail');
  const x = evidence ? exchangeOf(evidence) : undefined;
  const serious = top && compareSeverity(top.severity, 'low') < 0;
  if (x?.outcome === 'authenticated' && !serious) {
    const who = x.user ?? x.as ?? 'the probe identity';
    return `Verified by Kerberos as ${who}: ${target.url} accepts Kerberos (HTTP ${x.httpStatus}${x.mutual === 'verified' ? ', mutual authentication verified' : ''})${top ? `; ${run.findings.filter((f) => f.status === 'fail').length} low-severity finding(s) remain` : ''}.`;
  }
  if (top) {
    const about = top.subject && !top.title.includes(top.subject) ? ` — ${top.subject}` : '';
    return `${top.verified ? 'Cause verified by Kerberos' : 'Most likely cause'}: ${lowerFirst(top.title)}${about}.`;
  }
  const unknowns = run.findings.filter((f) => f.status === 'unknown');
  if (unknowns.length) {
    return `No failing check for ${target.url}; ${unknowns.length} check${unknowns.length > 1 ? 's' : ''} could not be decided (${unknowns.map((f) => f.ruleId).join(', ')}).`;
  }
  return `No Kerberos problem found for ${target.url}: all ${run.passed.length} applicable checks passed.`;
}

const lowerFirst = (s: string) => (/^[A-Z][a-z]/.test(s) ? s.charAt(0).toLowerCase() + s.slice(1) : s);

/** Assembles the why-401 answer from the evidence and the rule run. */
export function why401Result(evidence: Evidence, ruleRun: RuleRun, durationMs: number): Why401Result {
  const run: RuleRun = { ...ruleRun, findings: rankFindings(judgeFindings(ruleRun.findings, evidence)) };
  return {
    kind: 'why-401',
    url: evidence.target.url,
    canonicalHost: evidence.target.canonicalHost,
    expectedSpns: evidence.expected.map((e) => e.spn),
    inferred: evidence.inferred,
    findings: run.findings,
    passed: run.passed,
    notApplicable: run.notApplicable,
    verdict: verdictFor(evidence.target, run, evidence),
    durationMs,
    collectorErrors: evidence.collectorErrors,
    authentication: publicAuthentication(evidence.authentication),
  };
}
