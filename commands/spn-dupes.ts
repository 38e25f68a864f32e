/** `spn dupes` — duplicate SPNs across the forest (like `setspn -X -F`) and HOST/ alias collisions. */
import { SpnScan } from '../src/spn/spn-scan.js';
import type { DuplicateSpn, DuplicateSpnReport, SpnDupesResult } from '../src/model/index.js';
import type { CommandSpec } from './types.js';
import { spnDupesInfo } from './catalog.js';
import { duplicateSpnFix } from '../src/fix/index.js';

/** A duplicate with its fix: one `setspn -D` block per holder, a "Keep on" choice each (bare sAMAccountNames: holders can be in any domain of the forest). */
export function withFix(d: DuplicateSpn): DuplicateSpnReport {
  return { ...d, fix: duplicateSpnFix(d.spn, d.accounts.map((a) => ({ account: a.sAMAccountName, dn: a.dn }))) };
}

const spnDupes: CommandSpec<SpnDupesResult> = {
  ...spnDupesInfo,
  async run(ctx, args) {
    const started = Date.now();
    const allowList = [...ctx.config.dupesAllowList, ...((args.options.allow as string[] | undefined) ?? [])];
    const dir = await ctx.directory();
    ctx.progress?.('Scanning every account with an SPN…');
    // Compact keys while streaming; full detail only for the holders of possible duplicates.
    const scan = new SpnScan(await dir.spnMappings());
    if (!(await dir.scanSpnsInto?.(scan))) for await (const page of dir.scanSpnPages()) for (const a of page) scan.add(a.dn, a.servicePrincipalName);
    const { duplicates, aliasCollisions } = scan.result(await dir.accountsByDn(scan.candidates()), allowList);
    const info = await dir.info();
    return {
      kind: 'spn-dupes',
      server: info.server,
      duplicates: duplicates.map(withFix),
      aliasCollisions,
      allowList,
      scanned: { accounts: scan.accountCount, spns: scan.spnCount },
      durationMs: Date.now() - started,
    };
  },
};
export default spnDupes;
