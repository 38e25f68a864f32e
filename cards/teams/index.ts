/**
 * Command result → Adaptive Cards (1.5, each under Teams' size limit). Pure: the Teams surface sends
 * what this returns, the rendering tests parse every card it can produce.
 */
import { isCommandResult, type CommandResult, type Finding } from '../../src/model/index.js';
import type { AnyCommand } from '../../commands/types.js';
import { text, type AdaptiveCard } from './adaptive.js';
import { approvalResultCards, approvalsListCards } from './approvals.js';
import { adfsCards, explainCards } from './explain-adfs.js';
import { findingContainer } from './finding.js';
import { errorCard, textCards } from './messages.js';
import { spnDupesCards, spnListCards, spnQueryCards } from './spn.js';
import { clip, splitCards, type SplitOptions } from './split.js';
import { why401Cards } from './why-401.js';
import { etypesCards } from './etypes.js';

export * from './adaptive.js';
export { alertCards, type AlertView } from './alert.js';
export * from './approvals.js';
export { findingContainer, evidenceFacts, REQUEST_CHANGE_VERB, SEVERITY_COLOUR, type RequestChangeData } from './finding.js';
export * from './messages.js';
export { spnDupesCards, spnListCards, spnQueryCards } from './spn.js';
export { splitCards, clip, CARD_BUDGET_BYTES, MAX_CARDS } from './split.js';
export { why401Cards } from './why-401.js';
export { etypesCards } from './etypes.js';
export { adfsCards, explainCards } from './explain-adfs.js';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function isFindingList(v: unknown): v is Finding[] {
  return Array.isArray(v) && v.every((f: unknown) => isRecord(f) && typeof f.ruleId === 'string' && Array.isArray(f.evidence) && Boolean(f.fix));
}

/** Any result that carries `findings` (explain, adfs check…) before it has a dedicated card. */
export function findingsCards(title: string, findings: Finding[], summary: string, options: SplitOptions = {}): AdaptiveCard[] {
  return splitCards(
    {
      title,
      head: [text(clip(summary, 1500), { weight: 'Bolder' })],
      sections: findings.map((f, i) => findingContainer(f, { rank: i + 1 })),
      fallbackText: `${title}: ${summary}`,
    },
    options,
  );
}

/**
 * The cards for a command's result. Known kinds get their own layout; any other result with
 * `findings` gets the findings layout; anything else its command's plain-text rendering.
 */
export function cardsForResult(result: CommandResult | { kind: string }, command?: AnyCommand, options: SplitOptions = {}): AdaptiveCard[] {
  if (isCommandResult(result)) return cardsForKnown(result, options);
  return cardsForOther(result, command, options);
}

function cardsForKnown(result: CommandResult, options: SplitOptions): AdaptiveCard[] {
  switch (result.kind) {
    case 'why-401':
      return why401Cards(result, options);
    case 'spn-list':
      return spnListCards(result, options);
    case 'spn-query':
      return spnQueryCards(result, options);
    case 'spn-dupes':
      return spnDupesCards(result, options);
    case 'explain':
      return explainCards(result, options);
    case 'adfs-check':
      return adfsCards(result, options);
    case 'approvals-list':
      return approvalsListCards(result, options);
    case 'approval':
      return approvalResultCards(result);
    case 'krb-etypes':
      return etypesCards(result, options);
    case 'error':
      return [errorCard(result)];
  }
}

/** A result of another kind: the findings layout when it carries findings, else the command's text. */
function cardsForOther(result: { kind: string }, command: AnyCommand | undefined, options: SplitOptions): AdaptiveCard[] {
  const title = command ? command.path.join(' ') : result.kind;
  const findings = 'findings' in result ? result.findings : undefined;
  const plain = JSON.stringify(result, null, 2);
  if (isFindingList(findings)) {
    const first = String(plain).split('\n').find((l) => l.trim()) ?? `${findings.length} finding(s)`;
    return findingsCards(title, findings, findings.length ? first : `No findings. ${first}`, options);
  }
  return textCards(title, String(plain), options);
}
