/**
 * The small cards: errors (with the DC and reason when the directory is down), usage, help, plain
 * text answers, and the answers to a "Request this change" button.
 */
import { setspn } from '../../src/fix/index.js';
import type { ChangeRequestView } from '../../src/approvals/types.js';
import type { ErrorResult, SpnChange } from '../../src/model/index.js';
import type { AnyCommand } from '../../commands/types.js';
import { usageLine } from '../../commands/parse.js';
import { adaptiveCard, codeBlock, container, facts, heading, mono, text, type AdaptiveCard, type CardElement, type Fact } from './adaptive.js';
import { clip, splitCards, type SplitOptions } from './split.js';

const DIRECTORY_CODES = new Set(['DIRECTORY_UNAVAILABLE', 'DIRECTORY_TLS', 'DIRECTORY_AUTH', 'DIRECTORY_RIGHTS', 'DIRECTORY_TIMEOUT', 'DIRECTORY_PROTOCOL']);

const ERROR_TITLES: Record<string, string> = {
  DIRECTORY_UNAVAILABLE: 'No domain controller answered',
  DIRECTORY_TLS: 'TLS to the domain controller failed',
  DIRECTORY_AUTH: 'The domain controller refused krbops’ credentials',
  DIRECTORY_RIGHTS: 'krbops may not read that from the directory',
  DIRECTORY_TIMEOUT: 'The domain controller did not answer in time',
  DIRECTORY_PROTOCOL: 'The domain controller gave an answer krbops cannot use',
  ACCOUNT_NOT_FOUND: 'Account not found',
  INVALID_INPUT: 'That input cannot be used',
  CONFIG_INVALID: 'krbops is not configured for this',
  PROBE_TIMEOUT: 'The web server did not answer in time',
  ADFS_UNAVAILABLE: 'The ADFS metadata could not be fetched',
  ADFS_INVALID: 'The ADFS metadata is not usable',
  NOT_AUTHORIZED: 'Not allowed',
  STORE_FAILED: 'The krbops state store failed',
  INTERNAL: 'krbops hit an internal error',
};

const ERROR_HINTS: Record<string, string> = {
  DIRECTORY_UNAVAILABLE: 'Check that the DC is up and reachable from the bot host on 636 (LDAPS) or 389 (StartTLS); LDAP_URL lists the DCs tried in order.',
  DIRECTORY_TLS: 'The DC certificate must be trusted by the bot: set LDAP_CA_FILE to the issuing CA.',
  DIRECTORY_AUTH: 'Check LDAP_BIND_DN and the password (LDAP_BIND_PASSWORD or LDAP_BIND_PASSWORD_FILE); the account may be locked or its password expired.',
  DIRECTORY_TIMEOUT: 'The DC may be overloaded or a firewall drops the packets; LDAP_TIMEOUT_MS sets the limit.',
};

function stringList(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

/** The DC(s) an error is about, from its details (`server` or `servers`). */
export function errorServers(e: ErrorResult): string[] {
  return [...stringList(e.details?.server), ...stringList(e.details?.servers)];
}

/** Bad arguments: what was wrong, then the usage text, each usage line copyable. */
export function usageCard(e: ErrorResult): AdaptiveCard {
  const lines = (e.usage ?? '').split('\n').filter((l) => l.trim());
  const body: CardElement[] = [heading('That command needs a fix', { size: 'Medium' }), text(clip(e.message, 500), { color: 'Warning', weight: 'Bolder' })];
  if (lines.length) body.push(codeBlock(lines.slice(0, 60).map((l) => clip(l, 300))));
  body.push(text('Type the words as a message, with or without @krbops or a leading slash. "krb help" lists every command.', { isSubtle: true, size: 'Small' }));
  return adaptiveCard(body, { fallbackText: clip(`Usage: ${e.message}`, 300) });
}

/** Any failure that is not bad usage: what failed, where (the DC), why, and what to check. */
export function errorCard(e: ErrorResult): AdaptiveCard {
  if (e.code === 'COMMAND_USAGE') return usageCard(e);
  const title = ERROR_TITLES[e.code] ?? 'krbops could not answer';
  const list: Fact[] = [];
  const servers = errorServers(e);
  if (DIRECTORY_CODES.has(e.code) || servers.length) list.push({ title: servers.length > 1 ? 'Domain controllers' : 'Domain controller', value: clip(servers.join(', ') || 'unknown', 600) });
  list.push({ title: 'Reason', value: clip(e.message, 1000) });
  const suggestions = stringList(e.details?.suggestions);
  if (suggestions.length) list.push({ title: 'Did you mean', value: clip(suggestions.join(', '), 500) });
  if (typeof e.details?.variable === 'string') list.push({ title: 'Variable', value: clip(e.details.variable, 100) });
  list.push({ title: 'Code', value: e.code });
  if (typeof e.details?.ref === 'string') list.push({ title: 'Log reference', value: clip(e.details.ref, 40) });
  const body: CardElement[] = [
    container([text(title, { size: 'Medium', weight: 'Bolder', color: 'Attention' })], { style: 'Attention' }),
    facts(list, { spacing: 'Medium' }),
  ];
  const hint = ERROR_HINTS[e.code];
  if (hint) body.push(text(hint, { isSubtle: true, spacing: 'Medium' }));
  return adaptiveCard(body, { fallbackText: clip(`${title}: ${e.message}`, 300) });
}

/** `krb help`: every registered command, its usage line and examples. */
export function helpCards(commands: AnyCommand[], options: SplitOptions = {}): AdaptiveCard[] {
  const sections = commands.map((c) =>
    container(
      [
        mono(clip(usageLine(c), 300), { weight: 'Bolder', spacing: 'None' }),
        text(clip(c.summary, 500), { spacing: 'Small' }),
        ...(c.examples.length ? [text('Examples', { size: 'Small', isSubtle: true, spacing: 'Small' }), codeBlock(c.examples.slice(0, 6).map((x: string) => clip(x, 300)))] : []),
      ],
      { separator: true, spacing: 'Medium' },
    ),
  );
  return splitCards(
    {
      title: 'krbops commands',
      head: [text('Type a command as a message here, in a group chat, or in a channel after @krbops. A leading slash is fine too.', { wrap: true })],
      sections,
      fallbackText: `krbops commands: ${commands.map((c) => c.path.join(' ')).join(', ')}`,
    },
    options,
  );
}

/**
 * A result no dedicated card knows yet: its plain-text rendering (the command's `text()`),
 * one monospace block per paragraph, split over cards like any other answer.
 */
export function textCards(title: string, body: string, options: SplitOptions = {}): AdaptiveCard[] {
  const paragraphs = body.split(/\n{2,}/).filter((p) => p.trim());
  const sections = paragraphs.map((p) => codeBlock(p.split('\n').slice(0, 200).map((l) => clip(l || ' ', 1000))));
  return splitCards({ title, head: [], sections, fallbackText: clip(body.split('\n')[0] ?? title, 300) }, options);
}

/** The button's answer when no approvals flow is wired: says so plainly, claims nothing. */
export function approvalsNotConfiguredCard(changes: SpnChange[]): AdaptiveCard {
  return adaptiveCard(
    [
      container([text('Change requests are not configured', { size: 'Medium', weight: 'Bolder' })], { style: 'Warning' }),
      text('krbops has not recorded or sent this request: no approvals flow is configured on this bot. Ask a domain admin to run the change:', { wrap: true }),
      codeBlock(changes.slice(0, 50).map((c) => clip(setspn.change(c), 600))),
    ],
    { fallbackText: 'Change requests are not configured; nothing was requested.' },
  );
}



/** The button's answer when the approvals flow accepted the request. */
export type { ChangeRequestView };

export function changeRequestedCard(r: ChangeRequestView): AdaptiveCard {
  const list: Fact[] = [
    { title: 'Request', value: clip(r.id, 100) },
    { title: 'Status', value: clip(r.status, 100) },
  ];
  if (r.requestedBy) list.push({ title: 'Requested by', value: clip(r.requestedBy, 200) });
  const body: CardElement[] = [
    container([text('Change requested', { size: 'Medium', weight: 'Bolder' })], { style: 'Accent' }),
    facts(list),
    codeBlock(r.changes.slice(0, 50).map((c) => clip(setspn.change(c), 600))),
  ];
  if (r.next) body.push(text(clip(r.next, 500), { isSubtle: true }));
  return adaptiveCard(body, { fallbackText: `Change request ${clip(r.id, 60)}: ${r.status}` });
}

/** Sent once when krbops is added to a channel: what it will post there. */
export function welcomeCard(where: 'channel' | 'personal' | 'groupChat'): AdaptiveCard {
  const lines = [
    where === 'channel'
      ? 'krbops is here. Mention it with a command, e.g. "@krbops krb why-401 http://crm". Scheduled alerts (ADFS certificates, new duplicate SPNs) are posted in this channel.'
      : 'krbops is here. Type a command, e.g. "krb why-401 http://crm" or "spn list svc_crmweb".',
    '"krb help" lists every command.',
  ];
  return adaptiveCard([heading('krbops', { size: 'Medium' }), ...lines.map((l) => text(l))], { fallbackText: lines[0] });
}
