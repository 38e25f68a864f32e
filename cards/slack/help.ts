/**
 * `/krb help` and `/spn help`: the commands of the registry with their examples, written as they
 * are typed in Slack (`/spn list crmweb`), plus the chat-only `--share` flag.
 */
import type { AnyCommand } from '../../commands/types.js';
import { code, context, esc, fallback, header, section, type Block, type SlackReply } from './blocks.js';
import { composeReply } from './compose.js';

/** Options that make sense on the terminal only. */
const CLI_ONLY_OPTIONS = new Set(['json']);

/** `spn list <account>` → `/spn list <account>`, without terminal-only options. */
export function chatUsageLine(cmd: AnyCommand): string {
  const pos = cmd.positionals.map((p) => (p.required ? `<${p.name}>` : `[${p.name}]`) + (p.rest ? '...' : ''));
  const opts = cmd.options
    .filter((o) => !CLI_ONLY_OPTIONS.has(o.name))
    .map((o) => `[--${o.name}${o.type === 'string' ? ` <${o.valueName ?? 'value'}>` : ''}]${o.multiple ? '...' : ''}`);
  return `/${[...cmd.path, ...pos, ...opts].join(' ')}`;
}

/** A CLI example (`krbops spn list crmweb`) as typed in Slack (`/spn list crmweb`); undefined for terminal-only ones. */
export function chatExample(example: string): string | undefined {
  const t = example.trim().replace(/^\$\s*/, '').replace(/^(npx\s+)?krbops\s+/, '').replace(/^\//, '');
  if (!t || /(^|\s)--json(\s|$)/.test(t)) return undefined;
  return `/${t}`;
}

export function helpCard(commands: AnyCommand[], o: { group?: string } = {}): SlackReply {
  const list = o.group ? commands.filter((c) => c.path[0] === o.group) : commands;
  const shown = list.length ? list : commands;
  const head: Block[] = [
    header('krbops: Kerberos 401 helper'),
    section('Answers are private to you unless you add `--share` (the answer is then posted in the channel).'),
  ];
  const items = shown.map((c) => {
    const lines = [`*${code(chatUsageLine(c))}*`, esc(c.summary)];
    const ex = c.examples.map(chatExample).filter((x): x is string => !!x);
    if (ex.length) lines.push(ex.map((e) => `• ${code(e)}`).join('\n'));
    return { blocks: [section(lines.join('\n'))] };
  });
  const hasHelp = shown.some((c) => c.path.join(' ') === 'krb help');
  const tail: Block[] = hasHelp ? [] : [context(`${code('/krb help')} shows this list; ${code('/spn help')} only the SPN commands.`)];
  return composeReply({ text: fallback(`krbops commands: ${shown.map((c) => '/' + c.path.join(' ')).join(', ')}`), head, items, tail, noun: 'commands' });
}
