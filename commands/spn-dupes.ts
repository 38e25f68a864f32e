/** `spn dupes` — duplicate SPNs across the forest (like `setspn -X -F`) and HOST/ alias collisions. */
import { SpnScan } from '../src/spn/spn-scan.js';
import type { DuplicateSpn, DuplicateSpnReport, SpnDupesResult } from '../src/model/index.js';
import type { CommandSpec } from './types.js';
import { spnDupesInfo } from './catalog.js';
import { duplicateSpnFix } from '../src/fix/index.js';
import { fixText } from './fix-text.js';

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
    for await (const page of dir.scanSpnPages()) for (const a of page) scan.add(a.dn, a.servicePrincipalName);
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
  text(r) {
    const lines = [`Checking forest for duplicate SPNs (${r.scanned.accounts} accounts, ${r.scanned.spns} SPNs, ${r.durationMs} ms)`];
    for (const d of r.duplicates) {
      lines.push('', `${d.spn} is registered on ${d.accounts.length} accounts:`);
      for (const a of d.accounts) lines.push(`\t${a.dn}${a.whenChanged ? `  (changed ${a.whenChanged})` : ''}`);
      lines.push(...fixText(d.fix));
    }
    lines.push('', `Found ${r.duplicates.length} group${r.duplicates.length === 1 ? '' : 's'} of duplicate SPNs.`);
    if (r.aliasCollisions.length) {
      lines.push('', 'Alias collisions (HOST/ answers for the service class through sPNMappings):');
      for (const c of r.aliasCollisions) {
        lines.push(`\t${c.spn} on ${c.serviceAccounts.map((a) => a.sAMAccountName).join(', ')} while ${c.aliasOf} is on ${c.hostAccounts.map((a) => a.sAMAccountName).join(', ')}`);
      }
    }
    if (r.allowList.length) lines.push('', `Ignored (allow-list): ${r.allowList.join(', ')}`);
    if (r.server.startsWith('file:')) lines.push('', `Read from ${r.server}`);
    return lines.join('\n');
  },
};
export default spnDupes;
