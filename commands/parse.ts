/**
 * Words → command + arguments, shared by every surface. Chat text arrives as one string
 * (`/spn list crmweb`, `spn list crmweb`, `@krbops krb why-401 http://crm`); the CLI passes argv.
 */
import { parseArgs } from 'node:util';
import { CommandUsageError, truncate } from '../src/errors.js';
import type { AnyCommand, ParsedArgs } from './types.js';

/** Longest accepted argument; longer input is refused with a usage reply (never echoed whole). */
export const MAX_ARG_LENGTH = 2048;

/** Splits chat text into words, honouring "double", 'single' and “smart” quotes. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | null = null;
  let has = false;
  const closing: Record<string, string> = { '"': '"', "'": "'", '“': '”', '‘': '’' };
  for (const ch of text) {
    if (quote) {
      if (ch === closing[quote] || (quote === '“' && ch === '"')) quote = null;
      else cur += ch;
    } else if (ch in closing) {
      quote = ch;
      has = true;
    } else if (/\s/.test(ch)) {
      if (cur || has) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += ch;
      has = true;
    }
  }
  if (cur || has) out.push(cur);
  return out;
}

/** Removes a leading @-mention (`<@U123>`, `<at>krbops</at>`, `@krbops`) and a leading slash. */
export function normaliseChatText(text: string): string {
  let t = text.replace(/<at>[^<]*<\/at>/gi, ' ').replace(/<@[A-Z0-9]+(\|[^>]*)?>/g, ' ').replace(/&nbsp;/g, ' ').trim();
  t = t.replace(/^@\S+\s+/, '');
  // Slack links arrive as <http://crm|crm> or <http://crm>; Teams may wrap URLs in <a href>.
  t = t.replace(/<(https?:\/\/[^|>]+)(\|[^>]*)?>/g, '$1').replace(/<a [^>]*href="([^"]+)"[^>]*>[^<]*<\/a>/gi, '$1');
  return t.replace(/^\//, '').trim();
}

export function usageLine(cmd: AnyCommand): string {
  const pos = cmd.positionals.map((p) => (p.required ? `<${p.name}>` : `[${p.name}]`) + (p.rest ? '...' : ''));
  const opts = cmd.options.map((o) => {
    const flag = `--${o.name}${o.type === 'string' ? ` <${o.valueName ?? 'value'}>` : ''}`;
    return `[${flag}]${o.multiple ? '...' : ''}`;
  });
  return [...cmd.path, ...pos, ...opts].join(' ');
}

export function usageText(cmd: AnyCommand): string {
  const lines = [`Usage: ${usageLine(cmd)}`, cmd.summary];
  for (const p of cmd.positionals) lines.push(`  <${p.name}>  ${p.description}`);
  for (const o of cmd.options) lines.push(`  --${o.name}${o.type === 'string' ? ` <${o.valueName ?? 'value'}>` : ''}  ${o.description}`);
  if (cmd.examples.length) lines.push('Examples:', ...cmd.examples.map((e) => `  ${e}`));
  return lines.join('\n');
}

/** Parses the words after the command path against the command's spec. */
export function parseCommandArgs(cmd: AnyCommand, words: string[]): ParsedArgs {
  const usage = usageText(cmd);
  const maxArg = cmd.maxArgLength ?? MAX_ARG_LENGTH;
  for (const w of words) {
    if (w.length > maxArg) throw new CommandUsageError(`An argument is ${w.length} characters long; the limit is ${maxArg}.`, usage);
    if (w.includes('\0')) throw new CommandUsageError('An argument contains a NUL character.', usage);
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: words,
      allowPositionals: true,
      strict: true,
      options: Object.fromEntries(
        cmd.options.map((o) => [o.name, { type: o.type, multiple: o.multiple ?? false, ...(o.short ? { short: o.short } : {}) }]),
      ),
    });
  } catch (e) {
    const msg = (e as Error).message.split('\n', 1)[0]!.replace(/\. To specify a positional argument.*$/, '');
    throw new CommandUsageError(truncate(msg, 200), usage);
  }
  const positionals: Record<string, string | undefined> = {};
  const rest = [...parsed.positionals];
  for (const p of cmd.positionals) {
    const v = p.rest ? (rest.length ? rest.splice(0).join(' ') : undefined) : rest.shift();
    if (p.required && (v === undefined || v === '')) throw new CommandUsageError(`Missing <${p.name}>.`, usage);
    positionals[p.name] = v;
  }
  const [unexpected] = rest;
  if (unexpected !== undefined) throw new CommandUsageError(`Unexpected argument "${truncate(unexpected, 60)}".`, usage);
  return { positionals, options: parsed.values as ParsedArgs['options'] };
}

export interface Resolved {
  command: AnyCommand;
  args: ParsedArgs;
}

/**
 * Finds the command named by the leading words and parses the rest. Unknown or partial
 * commands raise a CommandUsageError whose usage lists what the group offers.
 */
export function resolveCommand(commands: AnyCommand[], words: string[]): Resolved {
  const lower = words.map((w) => w.toLowerCase());
  let best: AnyCommand | undefined;
  for (const c of commands) {
    if (c.path.every((p, i) => lower[i] === p) && (!best || c.path.length > best.path.length)) best = c;
  }
  if (!best) {
    const group = commands.filter((c) => c.path[0] === lower[0]);
    const list = (group.length ? group : commands).map((c) => `  ${usageLine(c)}  — ${c.summary}`).join('\n');
    const what = words.length ? `Unknown command "${truncate(words.slice(0, 2).join(' '), 60)}".` : 'No command given.';
    throw new CommandUsageError(what, `Commands:\n${list}`);
  }
  return { command: best, args: parseCommandArgs(best, words.slice(best.path.length)) };
}
