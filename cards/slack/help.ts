/**
 * `/krb help` and `/spn help`: the commands of the registry with their examples, written as they
 * are typed in Slack (`/spn list crmweb`), plus the chat-only `--share` flag.
 */
import type { AnyCommand } from '../../commands/types.js';
import { code, context, esc, fallback, header, section, type Block, type SlackReply } from './blocks.js';
import { composeReply } from './compose.js';

/** Options that make sense on the terminal only. */
const CLI_ONLY_OPTIONS = new Set(['json']);

/** The slash commands the manifest declares; other groups are reached through `/krb`. */
export const DEFAULT_SLASH_COMMANDS = ['spn', 'krb'];

/** How a command is typed in Slack: `/spn list`, `/krb why-401`, `/krb adfs check`. */
export function chatInvocation(cmd: AnyCommand, slashCommands: string[] = DEFAULT_SLASH_COMMANDS): string {
  const p = cmd.path.join(' ');
  return slashCommands.includes(cmd.path[0] ?? '') ? `/${p}` : `/krb ${p}`;
}

/** `spn list <account>` → `/spn list <account>`, without terminal-only options. */
export function chatUsageLine(cmd: AnyCommand, slashCommands: string[] = DEFAULT_SLASH_COMMANDS): string {
  const pos = cmd.positionals.map((p) => (p.required ? `<${p.name}>` : `[${p.name}]`) + (p.rest ? '...' : ''));
  const opts = cmd.options
    .filter((o) => !CLI_ONLY_OPTIONS.has(o.name))
    .map((o) => `[--${o.name}${o.type === 'string' ? ` <${o.valueName ?? 'value'}>` : ''}]${o.multiple ? '...' : ''}`);
  return [chatInvocation(cmd, slashCommands), ...pos, ...opts].join(' ');
}

/** A word that names a file on the bot's host: chat cannot use those. */
const LOCAL_PATH = /^(\.{1,2}\/|~\/|\/(?!\/)|[A-Za-z]:\\)/;

/**
 * A CLI example (`krbops spn list crmweb`) as typed in Slack (`/spn list crmweb`); undefined for
 * terminal-only ones (`--json`, local files).
 */
export function chatExample(example: string, cmd?: AnyCommand, slashCommands: string[] = DEFAULT_SLASH_COMMANDS): string | undefined {
  const t = example.trim().replace(/^\$\s*/, '').replace(/^(npx\s+)?krbops\s+/, '').replace(/^\//, '');
  if (!t || /(^|\s)--json(\s|$)/.test(t)) return undefined;
  const words = t.split(/\s+/);
  if (words.slice(1).some((w) => LOCAL_PATH.test(w))) return undefined;
  if (cmd) {
    const p = cmd.path.join(' ');
    if (t.toLowerCase() === p || t.toLowerCase().startsWith(`${p} `)) return chatInvocation(cmd, slashCommands) + t.slice(p.length);
  }
  return `/${t}`;
}

/**
 * Usage text written for the terminal (`Usage: spn list <account>`, `  adfs check`) with each
 * command as it is typed in Slack (`Usage: /spn list <account>`, `  /krb adfs check`).
 */
export function chatUsageText(usage: string, commands: AnyCommand[], slashCommands: string[] = DEFAULT_SLASH_COMMANDS): string {
  const byLength = [...commands].sort((a, b) => b.path.length - a.path.length);
  return usage
    .split('\n')
    .map((line) => {
      const [, lead, rest] = /^(Usage: |\s+)(.*)$/.exec(line) ?? [];
      if (lead === undefined || rest === undefined) return line;
      const c = byLength.find((c) => {
        const p = c.path.join(' ');
        return rest === p || rest.startsWith(`${p} `);
      });
      if (!c) return line;
      if (lead !== 'Usage: ' && rest.includes('--json')) return undefined;
      if (lead !== 'Usage: ' && rest.split(/\s+/).slice(1).some((w) => LOCAL_PATH.test(w))) return undefined;
      return lead + chatInvocation(c, slashCommands) + rest.slice(c.path.join(' ').length);
    })
    .filter((l): l is string => l !== undefined)
    .join('\n');
}

/** The registry without aliases: a command whose `run` another listed command shares is shown once. */
function distinct(commands: AnyCommand[], slashCommands: string[]): AnyCommand[] {
  const preferred = [...commands].sort((a, b) => Number(slashCommands.includes(b.path[0] ?? '')) - Number(slashCommands.includes(a.path[0] ?? '')));
  const seen = new Set<unknown>();
  const keep = new Set<AnyCommand>();
  for (const c of preferred) {
    if (seen.has(c.run)) continue;
    seen.add(c.run);
    keep.add(c);
  }
  return commands.filter((c) => keep.has(c));
}

export interface HelpCardOptions {
  /** Only the commands of this group (`/spn help`). */
  group?: string;
  /** Default DEFAULT_SLASH_COMMANDS. */
  slashCommands?: string[];
}

export function helpCard(commands: AnyCommand[], o: HelpCardOptions = {}): SlackReply {
  const slash = o.slashCommands ?? DEFAULT_SLASH_COMMANDS;
  const all = distinct(commands, slash);
  const list = o.group ? all.filter((c) => c.path[0] === o.group) : all;
  const shown = list.length ? list : all;
  const head: Block[] = [
    header('krbops: Kerberos 401 helper'),
    section('Answers are private to you unless you add `--share` (the answer is then posted in the channel).'),
  ];
  const items = shown.map((c) => {
    const lines = [`*${code(chatUsageLine(c, slash))}*`, esc(c.summary)];
    const ex = c.examples.map((e) => chatExample(e, c, slash)).filter((x): x is string => !!x);
    if (ex.length) lines.push(ex.map((e) => `• ${code(e)}`).join('\n'));
    return { blocks: [section(lines.join('\n'))] };
  });
  const tail: Block[] = [context(`${code('/krb help')} shows every command; ${code('/spn help')} only the SPN commands.`)];
  return composeReply({ text: fallback(`krbops commands: ${shown.map((c) => chatInvocation(c, slash)).join(', ')}`), head, items, tail, noun: 'commands' });
}
