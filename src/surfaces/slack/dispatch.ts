/**
 * Slash command text → a plan with Slack's visibility (ephemeral / in_channel). The words are read
 * by the one rule every chat surface shares (commands/plan.ts).
 */
import { errorResultOf } from '../../../commands/error-result.js';
import { planChat, SHARE_FLAG } from '../../../commands/plan.js';
import type { AnyCommand, ParsedArgs } from '../../../commands/types.js';
import type { ErrorResult } from '../../model/index.js';

export { errorResultOf, SHARE_FLAG };

/** The slash commands of the manifest. `/krb` also reaches every other group (`/krb adfs`). */
export const SLASH_COMMANDS = ['spn', 'krb'] as const;

export type Visibility = 'ephemeral' | 'in_channel';

export type ChatPlan =
  | { type: 'help'; group?: string; visibility: Visibility }
  | { type: 'run'; command: AnyCommand; args: ParsedArgs; visibility: Visibility; line: string }
  | { type: 'error'; error: ErrorResult };

/**
 * Plans what to do with a slash command (the one rule of commands/plan.ts, with the slash name).
 * Never throws: bad input becomes an error plan whose ErrorResult carries the usage text.
 */
export function planChatCommand(commands: AnyCommand[], slashCommand: string, text: string): ChatPlan {
  const plan = planChat(commands, text, { slash: slashCommand });
  const visibilityFor = (c?: AnyCommand): Visibility => (plan.share ? 'in_channel' : c?.defaultVisibility === 'in_channel' ? 'in_channel' : 'ephemeral');
  if (plan.type === 'help') return { type: 'help', group: plan.group, visibility: visibilityFor() };
  if (plan.type === 'error') return { type: 'error', error: plan.error };
  return { type: 'run', command: plan.command, args: plan.args, visibility: visibilityFor(plan.command), line: plan.line };
}
