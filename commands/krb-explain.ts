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
import { krbExplainInfo } from './catalog.js';

const krbExplain: CommandSpec<ExplainResult> = {
  ...krbExplainInfo,
  async run(ctx, args) {
    const text = (args.positionals.text ?? '').trim();
    if (!text) throw new CommandUsageError('Paste the error text to explain.', usageText(krbExplain));
    if (text.length > MAX_EXPLAIN_LENGTH) throw new CommandUsageError(`The text is ${text.length} characters; paste at most ${MAX_EXPLAIN_LENGTH} (the error lines, not the whole log).`, usageText(krbExplain));
    return explainText(text, ctx.now());
  },
};


export default krbExplain;
