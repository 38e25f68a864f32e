/** `spn list <account>` — the account's facts and SPNs, like `setspn -L`. */
import type { SpnListResult } from '../src/model/index.js';
import type { CommandSpec } from './types.js';
import { spnListInfo } from './catalog.js';

const spnList: CommandSpec<SpnListResult> = {
  ...spnListInfo,
  async run(ctx, args) {
    const dir = await ctx.directory();
    const account = await dir.findAccount(args.positionals.account!);
    const info = await dir.info();
    return { kind: 'spn-list', server: info.server, account, spns: [...account.servicePrincipalName].sort((a, b) => a.localeCompare(b)) };
  },
};
export default spnList;
