/** `krb explain` for the terminal: what each recognised code means, the rules behind it and what to check next. Pure. */
import type { ExplainResult } from '../../src/model/index.js';

export function explainText(r: ExplainResult): string {
  const lines = [r.verdict];
  r.matches.forEach((m, i) => {
    lines.push('', `${i + 1}. ${m.code}  (matched "${m.matched}")`, `   ${m.meaning}`);
    if (m.rules.length) lines.push('   Possible causes (krbops rules):', ...m.rules.map((x) => `     - ${x.ruleId}: ${x.title}`));
    if (m.nextChecks.length) lines.push('   Check next:', ...m.nextChecks.map((c) => `     > ${c}`));
  });
  const { spns, hosts, urls } = r.mentioned;
  if (spns.length || urls.length) lines.push('', `Mentioned: ${[...spns, ...urls].join(', ')}${hosts.length ? ` (hosts ${hosts.join(', ')})` : ''}`);
  return lines.join('\n');
}
