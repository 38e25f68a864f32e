/**
 * Slack cards: pure functions from command results to Block Kit. `renderResult` picks the card for a
 * result's `kind`; results without a card of their own are shown as the command's text.
 */
import { isCommandResult, type CommandResult } from '../../src/model/index.js';
import type { AnyCommand } from '../../commands/types.js';
import { adfsCheckCard } from './adfs.js';
import { approvalResultCard, approvalsListCard } from './approvals.js';
import type { SlackReply } from './blocks.js';
import { errorCard } from './error.js';
import { explainCard } from './explain.js';
import { textCard } from './misc.js';
import { spnDupesCard, spnListCard, spnQueryCard } from './spn.js';
import { why401Card } from './why-401.js';
import { etypesCard } from './etypes.js';

export * from './adfs.js';
export * from './alert.js';
export * from './approvals.js';
export * from './blocks.js';
export * from './limits.js';
export * from './compose.js';
export * from './change-ref.js';
export * from './finding.js';
export * from './error.js';
export * from './explain.js';
export * from './help.js';
export * from './misc.js';
export * from './spn.js';
export * from './why-401.js';
export * from './etypes.js';

export interface RenderOptions {
  /** The registry, so usage text reads as typed in Slack. */
  commands?: AnyCommand[];
  /** The slash command used (`spn`, `krb`), for help hints. */
  helpCommand?: string;
}

/** Renders a command's result. A result of no krbops kind (a test double) is shown as JSON. */
export function renderResult(result: CommandResult | { kind: string }, command?: AnyCommand, o: RenderOptions = {}): SlackReply {
  if (isCommandResult(result)) return renderKnown(result, o);
  return textCard(command ? `/${command.path.join(' ')}` : result.kind, JSON.stringify(result, null, 2));
}

function renderKnown(result: CommandResult, o: RenderOptions): SlackReply {
  switch (result.kind) {
    case 'spn-list':
      return spnListCard(result);
    case 'spn-query':
      return spnQueryCard(result);
    case 'spn-dupes':
      return spnDupesCard(result);
    case 'why-401':
      return why401Card(result);
    case 'explain':
      return explainCard(result);
    case 'adfs-check':
      return adfsCheckCard(result);
    case 'approvals-list':
      return approvalsListCard(result);
    case 'approval':
      return approvalResultCard(result);
    case 'krb-etypes':
      return etypesCard(result);
    case 'error':
      return errorCard(result, { helpCommand: o.helpCommand ?? 'krb', commands: o.commands });
  }
}
