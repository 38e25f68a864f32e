/** `spn query <spn>` — every account holding an SPN, like `setspn -Q`, plus HOST/ aliases. */
import { parseSpn } from '../src/spn/parse.js';
import type { SpnQueryResult } from '../src/model/index.js';
import type { CommandSpec } from './types.js';
import { setspn } from '../src/fix/index.js';
import { spnQueryInfo } from './catalog.js';

const spnQuery: CommandSpec<SpnQueryResult> = {
  ...spnQueryInfo,
  async run(ctx, args) {
    const spn = parseSpn(args.positionals.spn!);
    const dir = await ctx.directory();
    const accounts = await dir.spnHolders(spn.text, { includeAliases: !args.options['no-aliases'] });
    const info = await dir.info();
    return { kind: 'spn-query', server: info.server, spn: spn.text, accounts, duplicate: accounts.filter((a) => a.via === 'exact').length > 1 };
  },
  text(r) {
    const exact = r.accounts.filter((a) => a.via === 'exact');
    const alias = r.accounts.filter((a) => a.via === 'alias');
    const lines = [`Checking forest for ${r.spn}`];
    if (!exact.length) lines.push('No such SPN found.');
    for (const a of exact) lines.push(a.dn, `\t${a.matched}${a.disabled ? '  (account DISABLED)' : ''}`);
    if (r.duplicate) lines.push('', `DUPLICATE: ${exact.length} accounts hold ${r.spn}; the KDC cannot choose one. Keep it on the account that runs the service: ${setspn.remove(r.spn, '<other account>')}`);
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
