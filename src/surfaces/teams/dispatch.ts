/**
 * Teams message text → a plan: show help, run a registry command, or answer with usage. Pure.
 * Teams has no slash commands: the words arrive as a message (`spn list crmweb`, `/krb why-401
 * http://crm`, `<at>krbops</at> spn dupes`), so any command of the registry may start the text, with
 * or without the `krb` prefix the Slack commands use.
 */
import { normaliseChatText, resolveCommand, tokenize } from '../../../commands/parse.js';
import type { ErrorResult } from '../../model/index.js';
import type { AnyCommand, ParsedArgs } from '../../../commands/types.js';
import { errorResultOf } from '../../../commands/error-result.js';

export { errorResultOf };
import { truncate } from '../../errors.js';

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

function matches(commands: AnyCommand[], words: string[]): boolean {
  const lower = words.map((w) => w.toLowerCase());
  return commands.some((c) => c.path.every((p, i) => lower[i] === p));
}

/**
 * Word lists tried in order: the words as typed; without a leading `krb` (`krb spn list x`,
 * `krb adfs check`); and a group with a single command by its group name (`krb adfs`, `adfs`).
 */
function candidates(commands: AnyCommand[], words: string[]): string[][] {
  const out = [words];
  if (words[0]?.toLowerCase() === 'krb' && words.length > 1) out.push(words.slice(1));
  for (const w of [...out]) {
    const group = commands.filter((c) => c.path[0] === w[0]?.toLowerCase());
    if (group.length === 1 && group[0].path.length > 1 && !matches(commands, w)) out.push([...group[0].path, ...w.slice(1)]);
  }
  return out;
}

const HELP_WORDS = new Set(['help', '--help', '-h', '?']);

/** Plans the answer to a message. Never throws. */
export function planTeamsMessage(commands: AnyCommand[], rawText: string): TeamsPlan {
  let words: string[];
  try {
    words = tokenize(teamsText(rawText ?? ''));
  } catch (e) {
    return { type: 'error', error: errorResultOf(e) };
  }
  const lower = words.map((w) => w.toLowerCase());
  if (!words.length || HELP_WORDS.has(lower[0]) || (lower.length === 2 && HELP_WORDS.has(lower[1]) && !matches(commands, words))) return { type: 'help' };
  const tries = candidates(commands, words);
  const chosen = tries.find((w) => matches(commands, w)) ?? tries[0];
  try {
    const { command, args } = resolveCommand(commands, chosen);
    return { type: 'run', command, args, line: truncate(words.join(' '), 200) };
  } catch (e) {
    return { type: 'error', error: errorResultOf(e) };
  }
}
