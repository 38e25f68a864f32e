/**
 * Slack cards: pure functions from command results to Block Kit. `renderResult` picks the card for a
 * result's `kind`; results without a card of their own are shown as the command's text.
 */
import type { ErrorResult, SpnDupesResult, SpnListResult, SpnQueryResult } from '../../commands/results.js';
import type { AnyCommand } from '../../commands/types.js';
import type { Why401Result } from '../../src/rules/types.js';
import type { SlackReply } from './blocks.js';
import { errorCard } from './error.js';
import { textCard } from './misc.js';
import { spnDupesCard, spnListCard, spnQueryCard } from './spn.js';
import { why401Card } from './why-401.js';

export * from './blocks.js';
export * from './limits.js';
export * from './compose.js';
export * from './change-ref.js';
export * from './finding.js';
export * from './error.js';
export * from './help.js';
export * from './misc.js';
export * from './spn.js';
export * from './why-401.js';

/** Renders a command's result. `command` supplies the text fallback for kinds without a card. */
export function renderResult(result: { kind: string }, command?: AnyCommand): SlackReply {
  switch (result.kind) {
    case 'spn-list':
      return spnListCard(result as SpnListResult);
    case 'spn-query':
      return spnQueryCard(result as SpnQueryResult);
    case 'spn-dupes':
      return spnDupesCard(result as SpnDupesResult);
    case 'why-401':
      return why401Card(result as Why401Result);
    case 'error':
      return errorCard(result as ErrorResult, { helpCommand: command?.path[0] });
    default: {
      const title = command ? `/${command.path.join(' ')}` : result.kind;
      let text: string;
      try {
        text = command ? command.text(result) : JSON.stringify(result, null, 2);
      } catch {
        text = JSON.stringify(result, null, 2);
      }
      return textCard(title, text);
    }
  }
}
