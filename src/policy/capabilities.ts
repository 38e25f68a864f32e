/**
 * Which capability a command needs. Listed by hand, like the registry: a meta-test checks that every
 * registry command is listed here, so a new command gets a conscious decision.
 */
import type { Capability } from './types.js';

export const COMMAND_CAPABILITIES: Readonly<Record<string, Capability>> = {
  help: 'help',
  'krb explain': 'explain',
  'spn list': 'spn',
  'spn query': 'spn',
  'spn dupes': 'spn',
  // A forest-wide directory read like spn dupes (its Kerberoastable list is as sensitive as SPN lists).
  'krb etypes': 'spn',
  'krb why-401': 'why-401',
  'adfs check': 'adfs',
  'krb adfs': 'adfs',
  'krb approvals': 'approvals',
  'krb verify': 'approvals',
  'request change': 'approvals',
};

/**
 * The capability of a command path (`['spn','list']` → `spn`). A command not in the table needs
 * the broadest diagnostic capability (`why-401`): unknown means closed, never open.
 */
export function capabilityOf(path: readonly string[] | string): Capability {
  const key = (typeof path === 'string' ? path : path.join(' ')).toLowerCase().trim();
  const known = COMMAND_CAPABILITIES[key];
  if (known) return known;
  const group = key.split(' ')[0];
  if (group === 'spn') return 'spn';
  if (group === 'adfs') return 'adfs';
  return 'why-401';
}

/** How a capability is named to people ("spn commands"). */
export function capabilityLabel(c: Capability): string {
  switch (c) {
    case 'spn':
      return 'spn list / query / dupes, krb etypes';
    case 'why-401':
      return 'krb why-401';
    case 'explain':
      return 'krb explain';
    case 'adfs':
      return 'adfs check';
    case 'approvals':
      return 'SPN change requests (krb approvals, krb verify, "Request this change")';
    default:
      return 'help';
  }
}
