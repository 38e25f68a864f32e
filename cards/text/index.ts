/**
 * Terminal renderers: pure functions from a command's result to the plain text the CLI prints
 * (beside cards/slack and cards/teams). `renderText` picks the renderer for a result's `kind`; the
 * switch is exhaustive over the CommandResult union.
 */
import type { CommandResult, ErrorResult } from '../../src/model/index.js';
import { adfsCheckText } from './adfs.js';
import { approvalsListText, approvalText } from './approvals.js';
import { etypesText } from './etypes.js';
import { explainText } from './explain.js';
import { spnDupesText, spnListText, spnQueryText } from './spn.js';
import { why401Text } from './why-401.js';

/** An error result as one line (and the usage text, when there is one). */
export function errorText(r: ErrorResult): string {
  return r.usage ? `${r.message}\n\n${r.usage}` : r.message;
}

export function renderText(result: CommandResult): string {
  switch (result.kind) {
    case 'spn-list':
      return spnListText(result);
    case 'spn-query':
      return spnQueryText(result);
    case 'spn-dupes':
      return spnDupesText(result);
    case 'why-401':
      return why401Text(result);
    case 'explain':
      return explainText(result);
    case 'adfs-check':
      return adfsCheckText(result);
    case 'approvals-list':
      return approvalsListText(result);
    case 'approval':
      return approvalText(result);
    case 'krb-etypes':
      return etypesText(result);
    case 'error':
      return errorText(result);
  }
}
