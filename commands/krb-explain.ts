/**
 * `krb explain <text...>` — pasted error text (KRB_AP_ERR_MODIFIED, KRB_AP_ERR_SKEW,
 * KDC_ERR_S_PRINCIPAL_UNKNOWN, ID4175, 401.1 / 401.2, Kerberos event 4, KDC event 11…) → what it
 * means, the rules that can cause it and what to check next. No I/O.
 */
import { CommandUsageError } from '../src/errors.js';
import { explainText, MAX_EXPLAIN_LENGTH } from '../src/explain/index.js';
import type { ExplainResult } from '../src/model/index.js';
import { usageText } from './parse.js';
import type { CommandSpec } from './types.js';

const krbExplain: CommandSpec<ExplainResult> = {
  path: ['krb', 'explain'],
  summary: 'Explain a pasted Kerberos/IIS/ADFS error (KRB_AP_ERR_MODIFIED, event 4/11, 401.1, ID4175…) or decode a pasted Negotiate header, and what to check next',
  positionals: [{ name: 'text', required: true, rest: true, description: 'The error text as pasted from the event log, the browser or a trace' }],
  options: [],
  examples: [
    'krb explain "The kerberos client received a KRB_AP_ERR_MODIFIED error from the server host/ndcrmsrv1. The target name used was HTTP/crm.contoso.com"',
    'krb explain HTTP Error 401.1 - Unauthorized: Access is denied due to invalid credentials',
    'krb explain ID4175: The issuer of the security token was not recognized by the IssuerNameRegistry',
    'krb explain WWW-Authenticate: Negotiate oYGBMH+gAwoBAqJ4BHZgdAYJKoZIhvcSAQICAwB+ZTBjoAMCAQWhAwIBHqQRGA8yMDI2MTIwMTE1MTcwOFqlBQIDDUIxpgMCASypDhsMQ09OVE9TTy5URVNUqigwJqADAgEDoR8wHRsESFRUUBsVaGVscGRlc2suY29udG9zby50ZXN0',
  ],
  maxArgLength: MAX_EXPLAIN_LENGTH,
  defaultVisibility: 'ephemeral',
  async run(ctx, args) {
    const text = (args.positionals.text ?? '').trim();
    if (!text) throw new CommandUsageError('Paste the error text to explain.', usageText(krbExplain));
    if (text.length > MAX_EXPLAIN_LENGTH) throw new CommandUsageError(`The text is ${text.length} characters; paste at most ${MAX_EXPLAIN_LENGTH} (the error lines, not the whole log).`, usageText(krbExplain));
    return explainText(text, ctx.now());
  },
  text: explainTextRender,
};

export function explainTextRender(r: ExplainResult): string {
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

export default krbExplain;
