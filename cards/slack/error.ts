/**
 * Error replies: usage, directory down (naming the DC and the reason), not found with suggestions,
 * and a generic one that never shows a stack trace.
 */
import type { ErrorResult } from '../../src/model/index.js';
import type { AnyCommand } from '../../commands/types.js';
import { code, codeBlocks, context, esc, fallback, joinFitting, section, type Block, type SlackReply } from './blocks.js';
import { chatUsageText } from './help.js';
import { SLACK_LIMITS } from './limits.js';

const DIRECTORY_TITLES: Record<string, string> = {
  DIRECTORY_UNAVAILABLE: 'No domain controller answered',
  DIRECTORY_TLS: 'TLS to the domain controller failed',
  DIRECTORY_AUTH: 'The domain controller refused krbops\' bind account',
  DIRECTORY_RIGHTS: 'krbops\' bind account may not read this',
  DIRECTORY_TIMEOUT: 'The domain controller did not answer in time',
  DIRECTORY_PROTOCOL: 'The domain controller sent an answer krbops cannot read',
};

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);

export interface ErrorCardOptions {
  /** The slash command used, for the help hint (`/spn help`). Default 'krb'. */
  helpCommand?: string;
  /** The registry: usage text is then shown as typed in Slack (`/spn list <account>`). */
  commands?: AnyCommand[];
}

export function errorCard(e: ErrorResult, o: ErrorCardOptions = {}): SlackReply {
  const blocks: Block[] = [];
  const help = `Type \`/${o.helpCommand ?? 'krb'} help\` for the commands and examples.`;
  let text: string;

  if (e.code === 'COMMAND_USAGE') {
    text = e.message;
    blocks.push(section(`:warning: ${esc(e.message)}`));
    const raw = e.usage ?? strings(e.details?.usage)[0];
    const usage = raw && o.commands ? chatUsageText(raw, o.commands) : raw;
    if (usage) blocks.push(...codeBlocks(usage.split('\n'), SLACK_LIMITS.sectionText).slice(0, 10).map((t) => section(t)));
    blocks.push(context(help));
  } else if (e.code in DIRECTORY_TITLES) {
    const title = DIRECTORY_TITLES[e.code];
    text = `${title}: ${e.message}`;
    const servers = [...strings(e.details?.servers), ...strings(e.details?.server)];
    const lines = [`:no_entry: *${title}.*`, esc(e.message)];
    if (servers.length) lines.push(`*Tried:* ${joinFitting(servers.map(code), 1500)}`);
    blocks.push(section(lines.join('\n')));
    blocks.push(context(e.code === 'DIRECTORY_UNAVAILABLE' || e.code === 'DIRECTORY_TIMEOUT'
      ? 'Check that the DC is up and reachable from the krbops host (`LDAP_URL`); krbops tries every URL listed there in order.'
      : 'Check krbops\' LDAP settings (`LDAP_URL`, `LDAP_BIND_DN`, `LDAP_CA_FILE`) with `krbops config`.'));
  } else if (e.code === 'ACCOUNT_NOT_FOUND') {
    const query = strings(e.details?.query)[0];
    const suggestions = strings(e.details?.suggestions);
    text = e.message;
    const lines = [query !== undefined ? `:mag: No account matches ${code(query)}.` : `:mag: ${esc(e.message)}`];
    if (suggestions.length) lines.push(`*Did you mean:* ${joinFitting(suggestions.map(code), 1500)}`);
    else lines.push('Accounts are looked up by sAMAccountName, `DOMAIN\\name`, UPN, computer name (with or without `$`) or DN.');
    blocks.push(section(lines.join('\n')));
  } else if (e.code === 'INVALID_INPUT') {
    text = e.message;
    blocks.push(section(`:warning: ${esc(e.message)}`), context(help));
  } else if (e.code === 'CONFIG_INVALID') {
    text = `krbops is not configured for this: ${e.message}`;
    blocks.push(section(`:gear: *krbops is not configured for this.* ${esc(e.message)}`), context('An administrator sets this in krbops\' environment; `krbops config` shows the current settings.'));
  } else if (e.code === 'NOT_AUTHORIZED') {
    text = e.message;
    blocks.push(section(`:lock: ${esc(e.message)}`));
  } else {
    const ref = strings(e.details?.ref)[0];
    const known = e.code !== 'INTERNAL';
    text = known ? e.message : 'Something went wrong inside krbops';
    blocks.push(section(known ? `:x: ${esc(e.message)}` : `:x: *Something went wrong inside krbops.* The details are in the bot's log${ref ? ` (ref ${code(ref)})` : ''}.`));
  }
  return { text: fallback(text), blocks, followUps: [] };
}
