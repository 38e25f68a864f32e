/**
 * Slash command text → a plan: show help, run a registry command, or answer with a usage error.
 * Pure (no Slack, no I/O): the same words the CLI takes, through commands/parse.ts.
 */
import { normaliseChatText, resolveCommand, tokenize } from '../../../commands/parse.js';
import type { ErrorResult } from '../../model/index.js';
import type { AnyCommand, ParsedArgs } from '../../../commands/types.js';
import { errorResultOf } from '../../../commands/error-result.js';

export { errorResultOf };
import { truncate } from '../../errors.js';

/** The slash commands of the manifest. `/krb` also reaches every other group (`/krb adfs`). */
export const SLASH_COMMANDS = ['spn', 'krb'] as const;

/** Chat-only flag: post the answer in the channel instead of privately. */
export const SHARE_FLAG = '--share';

export type Visibility = 'ephemeral' | 'in_channel';

export type ChatPlan =
  | { type: 'help'; group?: string; visibility: Visibility }
  | { type: 'run'; command: AnyCommand; args: ParsedArgs; visibility: Visibility; line: string }
  | { type: 'error'; error: ErrorResult };

/** Length of the longest command path the words start with (0 when none). */
function matchLength(commands: AnyCommand[], words: string[]): number {
  const lower = words.map((w) => w.toLowerCase());
  let best = 0;
  for (const c of commands) if (c.path.length > best && c.path.every((p, i) => lower[i] === p)) best = c.path.length;
  return best;
}

/**
 * The word lists tried, in order, for `/<slash> <words>`: the slash name as the group
 * (`/spn list x` → spn list x), then the words alone (`/krb spn list x`, `/krb adfs check`), then a
 * group that has a single command by its group name (`/krb adfs` → adfs check).
 */
function candidates(commands: AnyCommand[], slash: string, words: string[]): { words: string[]; typed: number }[] {
  // `typed`: how many of the path words the user typed (the slash name is not one of them).
  const out = [{ words: [slash, ...words], typed: -1 }];
  if (words.length) {
    out.push({ words, typed: 0 });
    const group = commands.filter((c) => c.path[0] === words[0].toLowerCase());
    if (group.length === 1 && !matchLength(commands, words)) out.push({ words: [...group[0].path, ...words.slice(1)], typed: 1 - group[0].path.length });
  }
  return out;
}

/**
 * Plans what to do with a slash command. Never throws: bad input becomes an error plan whose
 * ErrorResult carries the usage text.
 */
export function planChatCommand(commands: AnyCommand[], slashCommand: string, text: string): ChatPlan {
  const slash = slashCommand.replace(/^\//, '').toLowerCase();
  let words: string[];
  try {
    words = tokenize(normaliseChatText(text ?? ''));
  } catch (e) {
    return { type: 'error', error: errorResultOf(e) };
  }
  const share = words.some((w) => w.toLowerCase() === SHARE_FLAG);
  words = words.filter((w) => w.toLowerCase() !== SHARE_FLAG);
  const visibilityFor = (c?: AnyCommand): Visibility => (share ? 'in_channel' : c?.defaultVisibility === 'in_channel' ? 'in_channel' : 'ephemeral');

  const first = words[0]?.toLowerCase();
  if (!words.length || first === 'help' || first === '--help' || first === '-h') {
    const group = slash === 'krb' ? undefined : slash;
    return { type: 'help', group, visibility: share ? 'in_channel' : 'ephemeral' };
  }

  // The reading that consumes the most typed words wins: `/krb adfs check` is `adfs check`,
  // not `krb adfs` with "check" as its argument.
  const tries = candidates(commands, slash, words);
  let chosen = tries[0].words;
  let bestTyped = 0;
  for (const t of tries) {
    const len = matchLength(commands, t.words);
    if (len && len + t.typed > bestTyped) {
      bestTyped = len + t.typed;
      chosen = t.words;
    }
  }
  try {
    const { command, args } = resolveCommand(commands, chosen);
    const line = truncate(`/${slash} ${text ?? ''}`.replace(/\s+/g, ' ').trim(), 200);
    return { type: 'run', command, args, visibility: visibilityFor(command), line };
  } catch (e) {
    return { type: 'error', error: errorResultOf(e) };
  }
}
