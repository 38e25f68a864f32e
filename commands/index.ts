/**
 * The command registry, listed by hand: every surface (CLI, Slack, Teams) registers exactly these.
 * Entries are the catalog (commands/catalog.ts) plus a lazy import of the command module, so a
 * process loads only the commands it runs (issue 15). A meta-test checks each entry has a summary,
 * examples and a text renderer, and that each module's spec matches its catalog entry.
 */
import { adfsCheckInfo, krbAdfsInfo, krbApprovalsInfo, krbEtypesInfo, krbExplainInfo, krbVerifyInfo, krbWhy401Info, spnDupesInfo, spnListInfo, spnQueryInfo } from './catalog.js';
import { lazyCommand } from './lazy.js';
import type { LazyCommand } from './types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- one list of commands with different result types (see AnyCommand in ./types.ts)
export const commands: LazyCommand<any>[] = [
  lazyCommand(spnListInfo, async () => (await import('./spn-list.js')).default),
  lazyCommand(spnQueryInfo, async () => (await import('./spn-query.js')).default),
  lazyCommand(spnDupesInfo, async () => (await import('./spn-dupes.js')).default),
  lazyCommand(adfsCheckInfo, async () => (await import('./adfs-check.js')).default),
  lazyCommand(krbWhy401Info, async () => (await import('./krb-why-401.js')).default),
  lazyCommand(krbExplainInfo, async () => (await import('./krb-explain.js')).default),
  lazyCommand(krbEtypesInfo, async () => (await import('./krb-etypes.js')).default),
  lazyCommand(krbAdfsInfo, async () => (await import('./adfs-check.js')).krbAdfs),
  lazyCommand(krbApprovalsInfo, async () => (await import('./krb-approvals.js')).krbApprovals),
  lazyCommand(krbVerifyInfo, async () => (await import('./krb-approvals.js')).krbVerify),
];
