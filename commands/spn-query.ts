/** `spn query <spn>` — every account holding an SPN, like `setspn -Q`, plus HOST/ aliases. */
import { parseSpn } from '../src/spn/parse.js';
import type { SpnHolder, SpnQueryResult } from '../src/model/index.js';
import type { CommandSpec } from './types.js';
import { spnQueryInfo } from './catalog.js';
import { duplicateSpnFix } from '../src/fix/index.js';

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
};
export default spnQuery;
