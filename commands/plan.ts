/**
 * Chat text → a plan: show help, run a registry command, or answer with usage. ONE rule for every
 * chat surface (Slack slash commands, Teams messages, the playground); the CLI parses argv itself
 * (commander) and then runs through the same path (commands/run.ts). Pure and never throws.
 *
 * The words are read several ways and the reading whose command path uses the most typed words
 * wins (ties: the first reading):
 *  1. with the Slack slash name in front (`/spn list x` → `spn list x`), when there is one;
 *  2. as typed (`/krb spn list x`, a Teams message `spn list x`);
 *  3. without a leading `krb` (`krb spn list x`, `krb adfs check` → `adfs check`);
 *  4. a group with a single command by its group name (`adfs` → `adfs check`).
 * `help`, `--help`, `-h` and `?` (first word, or after a group name) ask for help; `--share`
 * anywhere asks for an in-channel answer.
 */
import { truncate } from '../src/errors.js';
import type { ErrorResult } from '../src/model/index.js';
import { errorResultOf } from './error-result.js';
import { normaliseChatText, resolveCommand, tokenize } from './parse.js';
import type { AnyCommand, ParsedArgs } from './types.js';

/** Chat-only flag: post the answer in the channel instead of privately (where the surface can). */
export const SHARE_FLAG = '--share';
export const HELP_WORDS: ReadonlySet<string> = new Set(['help', '--help', '-h', '?']);

export type Plan =
  | { type: 'help'; /** The command group asked about (`spn`), if any. */ group?: string; share: boolean }
  | { type: 'run'; command: AnyCommand; args: ParsedArgs; share: boolean; /** The request as typed, shortened, for "Working on it…". */ line: string }
  | { type: 'error'; error: ErrorResult; share: boolean };

export interface PlanOptions {
  /** The Slack slash command (`/spn`, `krb`); absent for surfaces without one. */
  slash?: string;
  /** The surface already turned its markup into plain text (Teams: teamsText); default false. */
  plainText?: boolean;
}

/** Length of the longest command path the words start with (0 when none). */
function matchLength(commands: AnyCommand[], words: string[]): number {
  const lower = words.map((w) => w.toLowerCase());
  let best = 0;
  for (const c of commands) if (c.path.length > best && c.path.every((p, i) => lower[i] === p)) best = c.path.length;
  return best;
}

/** The readings of the words; `typed` corrects the match length to count only words the user typed. */
function readings(commands: AnyCommand[], words: string[], slash: string | undefined): { words: string[]; typed: number }[] {
  const out: { words: string[]; typed: number }[] = [];
  if (slash) out.push({ words: [slash, ...words], typed: -1 });
  out.push({ words, typed: 0 });
  if (words[0]?.toLowerCase() === 'krb' && words.length > 1) out.push({ words: words.slice(1), typed: 1 });
  for (const r of out.filter((x) => x.typed >= 0)) {
    const group = commands.filter((c) => c.path[0] === r.words[0]?.toLowerCase());
    if (group.length === 1 && group[0]!.path.length > 1 && !matchLength(commands, r.words)) {
      out.push({ words: [...group[0]!.path, ...r.words.slice(1)], typed: r.typed + 1 - group[0]!.path.length });
    }
  }
  return out;
}

export function planChat(commands: AnyCommand[], text: string, o: PlanOptions = {}): Plan {
  const slash = o.slash?.replace(/^\//, '').toLowerCase() || undefined;
  let words: string[];
  try {
    words = tokenize(o.plainText ? (text ?? '') : normaliseChatText(text ?? ''));
  } catch (e) {
    return { type: 'error', error: errorResultOf(e), share: false };
  }
  const share = words.some((w) => w.toLowerCase() === SHARE_FLAG);
  words = words.filter((w) => w.toLowerCase() !== SHARE_FLAG);
  const lower = words.map((w) => w.toLowerCase());
  const slashGroup = slash && slash !== 'krb' ? slash : undefined;

  if (!words.length || HELP_WORDS.has(lower[0]!)) return { type: 'help', group: slashGroup, share };
  const tries = readings(commands, words, slash);
  if (words.length === 2 && HELP_WORDS.has(lower[1]!) && !tries.some((t) => matchLength(commands, t.words))) {
    const group = lower[0] !== 'krb' && commands.some((c) => c.path[0] === lower[0]) ? lower[0] : slashGroup;
    return { type: 'help', group, share };
  }

  let chosen = tries[0]!.words;
  let best = 0;
  for (const t of tries) {
    const len = matchLength(commands, t.words);
    if (len && len + t.typed > best) {
      best = len + t.typed;
      chosen = t.words;
    }
  }
  try {
    const { command, args } = resolveCommand(commands, chosen);
    const line = slash ? truncate(`/${slash} ${text ?? ''}`.replace(/\s+/g, ' ').trim(), 200) : truncate(words.join(' '), 200);
    return { type: 'run', command, args, share, line };
  } catch (e) {
    return { type: 'error', error: errorResultOf(e), share };
  }
}
