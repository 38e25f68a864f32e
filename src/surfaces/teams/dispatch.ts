/**
 * Teams message text → a plan. Pure. Teams has no slash commands: the words arrive as a message
 * (`spn list crmweb`, `/krb why-401 http://crm`, `<at>krbops</at> spn dupes`); this file turns
 * Teams markup into plain text, and the one rule of commands/plan.ts reads the words.
 */
import { errorResultOf } from '../../../commands/error-result.js';
import { planChat } from '../../../commands/plan.js';
import { normaliseChatText } from '../../../commands/parse.js';
import type { AnyCommand, ParsedArgs } from '../../../commands/types.js';
import type { ErrorResult } from '../../model/index.js';

export { errorResultOf };

export type TeamsPlan =
  | { type: 'help' }
  | { type: 'run'; command: AnyCommand; args: ParsedArgs; line: string }
  | { type: 'error'; error: ErrorResult };

/** Teams escapes these in message text; the commands want the characters. */
const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&apos;': "'" };

/** Mentions and markup out, entities decoded, whitespace (Teams sends \r\n and NBSP) collapsed. */
export function teamsText(raw: string): string {
  const withoutTags = normaliseChatText(raw.replace(/<\/?(p|div|span|br)\b[^>]*>/gi, ' '));
  return withoutTags.replace(/&(amp|lt|gt|quot|#39|apos);/g, (m) => ENTITIES[m] ?? m).replace(/[\s\u00a0]+/g, ' ').trim();
}

/** Plans the answer to a message (the one rule of commands/plan.ts). Never throws. */
export function planTeamsMessage(commands: AnyCommand[], rawText: string): TeamsPlan {
  const plan = planChat(commands, teamsText(rawText ?? ''), { plainText: true });
  if (plan.type === 'help') return { type: 'help' };
  if (plan.type === 'error') return { type: 'error', error: plan.error };
  return { type: 'run', command: plan.command, args: plan.args, line: plan.line };
}
