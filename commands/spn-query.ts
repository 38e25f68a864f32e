/** `spn query <spn>` — every account holding an SPN, like `setspn -Q`, plus HOST/ aliases. */
import { parseSpn } from '../src/spn/parse.js';
import type { SpnHolder, SpnQueryResult } from '../src/model/index.js';
import type { CommandSpec } from './types.js';
import { spnQueryInfo } from './catalog.js';
import { duplicateSpnFix } from '../src/fix/index.js';
import { fixText } from './fix-text.js';

/** The result for `spn`'s holders: a duplicate gets its fix (one `setspn -D` block per exact holder, a "Keep on" choice each). */
export function queryResult(server: string, spn: string, accounts: SpnHolder[]): SpnQueryResult {
  const exact = accounts.filter((a) => a.via === 'exact');
  const duplicate = exact.length > 1;
  const fix = duplicate ? duplicateSpnFix(spn, exact.map((a) => ({ account: a.sAMAccountName, dn: a.dn, spn: a.matched }))) : undefined;
  return { kind: 'spn-query', server, spn, accounts, duplicate, ...(fix ? { fix } : {}) };
}

const spnQuery: CommandSpec<SpnQueryResult> = {
  ...spnQueryInfo,
  async run(ctx, args) {
    const spn = parseSpn(args.positionals.spn!);
    const dir = await ctx.directory();
    const accounts = await dir.spnHolders(spn.text, { includeAliases: !args.options['no-aliases'] });
    const info = await dir.info();
    return queryResult(info.server, spn.text, accounts);
  },
  text(r) {
    const exact = r.accounts.filter((a) => a.via === 'exact');
    const alias = r.accounts.filter((a) => a.via === 'alias');
    const lines = [`Checking forest for ${r.spn}`];
    if (!exact.length) lines.push('No such SPN found.');
    for (const a of exact) lines.push(a.dn, `\t${a.matched}${a.disabled ? '  (account DISABLED)' : ''}`);
    if (r.duplicate) lines.push('', `DUPLICATE: ${exact.length} accounts hold ${r.spn}; the KDC cannot choose one.`, ...(r.fix ? fixText(r.fix) : []));
    if (alias.length) {
      lines.push('', `Also answering through sPNMappings:`);
      for (const a of alias) lines.push(a.dn, `\t${a.matched}`);
    }
    lines.push('', exact.length ? 'Existing SPN found!' : 'No exact SPN found.');
    if (r.server.startsWith('file:')) lines.push(`Read from ${r.server}`);
    return lines.join('\n');
  },
};
export default spnQuery;
