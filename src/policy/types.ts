/**
 * Who may run what, where: the access policy as plain data. Pure types; evaluation is evaluate.ts,
 * reading the environment and `krbops.yaml` is config.ts.
 */

/**
 * What a chat user can be allowed to do. `spn` covers `spn list|query|dupes`; `approvals` covers
 * `krb approvals`, `krb verify` and "Request this change". Approving a request is decided by the
 * approvers (KRBOPS_ADMINS, KRBOPS_APPROVER_GROUP_DN), not by this list.
 */
export const CAPABILITIES = ['help', 'explain', 'spn', 'why-401', 'adfs', 'approvals'] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** The capabilities that read the directory or fetch from the network: closed by default in chat. */
export const DIRECTORY_CAPABILITIES: readonly Capability[] = ['spn', 'why-401', 'adfs', 'approvals'];

/** Open to everyone when nothing is configured. */
export const OPEN_CAPABILITIES: readonly Capability[] = ['help', 'explain'];

/** Where a chat command was typed. */
export interface Place {
  surface: 'slack' | 'teams';
  /** Slack channel ID (C…, G…, D…); Teams conversation ID without its `;messageid=` suffix. */
  channelId?: string;
  /** Teams: the team the channel belongs to (channelData.team.id). */
  teamId?: string;
  /** A direct message or personal chat with the bot (Slack D…, Teams `personal`). */
  direct: boolean;
}

/** Who asked, as the chat platform vouches for it (never from the message text). */
export interface Asker {
  surface: 'cli' | 'slack' | 'teams' | 'scheduler';
  /** Slack user ID, Teams Entra object ID. */
  id: string;
  name?: string;
}

/**
 * One grant: these commands, in these places, for these people.
 *  - `channels`: `slack:C0123`, `teams:19:…@thread.tacv2` (a channel or chat), `team:19:…` (every
 *    channel of a Teams team), a bare ID (either surface), `*` (any channel) and `dm` (direct
 *    messages, which are never matched by `*`). Empty: `*`.
 *  - `users` (`slack:U0123`, `teams:<object id>`, or a bare ID) and `groups` (AD group DNs, matched
 *    through the chat user's e-mail address): both empty means everyone in those places.
 */
export interface AccessRule {
  commands: Capability[];
  channels: string[];
  users: string[];
  groups: string[];
}

export interface AccessPolicy {
  rules: AccessRule[];
  /** Whom to ask for access, named in every refusal (KRBOPS_ACCESS_CONTACT). */
  contact?: string;
  /** How long an e-mail → AD group lookup is trusted, in ms (KRBOPS_IDENTITY_CACHE_MINUTES). */
  identityCacheMs: number;
  /** Where the rules came from, for the start-up log. */
  sources: string[];
}

export type Refusal = 'place' | 'direct' | 'person';

export type AccessDecision =
  | { allowed: true }
  | { allowed: false; refusal: Refusal; message: string };

/** The first phase of an evaluation that needs the asker's AD groups: which ones to look up. */
export interface NeedsGroups {
  needsGroups: string[];
}
