/** How bad a finding is, and the ONE order krbops ranks severities in (most severe first). */

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

/** Most severe first. Every sort by severity goes through this list (or `compareSeverity`). */
export const SEVERITY_ORDER: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** The rank of a severity: 0 for critical … 4 for info. */
export function severityRank(s: Severity): number {
  return SEVERITY_ORDER.indexOf(s);
}

/** Array.sort comparator: most severe first. */
export function compareSeverity(a: Severity, b: Severity): number {
  return severityRank(a) - severityRank(b);
}

/** The most severe of a list, or `fallback` for an empty list. */
export function mostSevere(list: readonly Severity[], fallback: Severity = 'info'): Severity {
  return list.reduce<Severity>((m, s) => (compareSeverity(s, m) < 0 ? s : m), list.length ? list[0]! : fallback);
}
