/**
 * Access decisions as pure functions over the policy. Evaluation has two phases so that nothing is
 * looked up that the answer does not depend on:
 *
 *   evaluate(policy, request)            → allowed | refused | { needsGroups }   (no I/O)
 *   evaluate(policy, request, groups)    → allowed | refused                     (groups: DNs the
 *                                           asker is a member of, from the directory)
 *
 * Only chat users are subject to the policy: the CLI and the scheduler run with the operator's own
 * credentials and configuration.
 */
import { capabilityLabel } from './capabilities.js';
import type { AccessDecision, AccessPolicy, AccessRule, Asker, Capability, NeedsGroups, Place, Refusal } from './types.js';

export interface AccessRequest {
  capability: Capability;
  /** The command as typed, for the refusal ("spn list"). */
  command?: string;
  asker: Asker;
  /** Where it was typed; absent for the CLI and the scheduler. */
  place?: Place;
}

const lower = (s: string) => s.trim().toLowerCase();

/** A channel reference of a rule matches the place? (`dm` and `*` are handled by the caller.) */
function channelRefMatches(ref: string, place: Place): boolean {
  const r = ref.trim();
  const [, prefix, rest] = /^(slack|teams|team):(.+)$/i.exec(r) ?? [];
  const kind = prefix?.toLowerCase();
  const id = lower(rest ?? r);
  if (kind === 'team') return place.surface === 'teams' && !!place.teamId && lower(place.teamId) === id;
  if (kind && kind !== place.surface) return false;
  return !!place.channelId && lower(place.channelId) === id;
}

/** The rule applies in this place? `dm` is the only way a direct message matches. */
export function placeMatches(rule: AccessRule, place: Place): boolean {
  const refs = rule.channels.length ? rule.channels : ['*'];
  if (place.direct) return refs.some((r) => lower(r) === 'dm');
  return refs.some((r) => r.trim() === '*' || (lower(r) !== 'dm' && channelRefMatches(r, place)));
}

/** The asker is listed by chat ID in the rule? */
export function userListed(rule: AccessRule, asker: Asker): boolean {
  return rule.users.some((u) => {
    const [, surface, id] = /^(slack|teams):(.+)$/i.exec(u.trim()) ?? [];
    if (surface !== undefined && surface.toLowerCase() !== asker.surface) return false;
    return lower(id ?? u) === lower(asker.id);
  });
}

const opensToEveryone = (r: AccessRule) => !r.users.length && !r.groups.length;

function refusal(policy: AccessPolicy, req: AccessRequest, kind: Refusal): AccessDecision {
  const what = req.command ? `"${req.command}"` : capabilityLabel(req.capability);
  const ask = policy.contact ? `Ask ${policy.contact} if you need it.` : 'Ask a krbops admin if you need it.';
  const why: Record<Refusal, string> = {
    direct: `${what} is not enabled in direct messages with krbops; run it in an incident channel where krbops is allowed.`,
    place: `${what} is not enabled in this ${req.place?.surface === 'teams' ? 'conversation' : 'channel'}; directory commands run only in the channels the krbops admins listed.`,
    person: `${what} is limited to the people and AD groups the krbops admins listed, and you are not among them.`,
  };
  return { allowed: false, refusal: kind, message: `Sorry, ${why[kind]} Nothing was looked up. ${ask}` };
}

/**
 * Decides one request. Without `groups`, a decision that depends on AD group membership returns
 * `{ needsGroups }` (the DNs to check); with `groups` (the DNs the asker belongs to, any case) it
 * always decides.
 */
export function evaluate(policy: AccessPolicy, req: AccessRequest, groups?: readonly string[]): AccessDecision | NeedsGroups {
  if (req.asker.surface === 'cli' || req.asker.surface === 'scheduler' || !req.place) return { allowed: true };
  const forCommand = policy.rules.filter((r) => r.commands.includes(req.capability));
  const here = forCommand.filter((r) => placeMatches(r, req.place!));
  if (!here.length) return refusal(policy, req, req.place.direct ? 'direct' : 'place');
  if (here.some((r) => opensToEveryone(r) || userListed(r, req.asker))) return { allowed: true };
  const wanted = [...new Set(here.flatMap((r) => r.groups.map(lower)))];
  if (!wanted.length) return refusal(policy, req, 'person');
  if (!groups) return { needsGroups: wanted };
  const mine = new Set(groups.map(lower));
  return wanted.some((g) => mine.has(g)) ? { allowed: true } : refusal(policy, req, 'person');
}

export function isDecided(d: AccessDecision | NeedsGroups): d is AccessDecision {
  return 'allowed' in d;
}

/** Every group DN the policy names (what a membership lookup may be asked about). */
export function policyGroups(policy: AccessPolicy): string[] {
  return [...new Set(policy.rules.flatMap((r) => r.groups.map(lower)))];
}

/** One line per rule for the start-up log: what is open, where, to whom. */
export function describePolicy(policy: AccessPolicy): string[] {
  const lines = policy.rules.map((r) => {
    const where = r.channels.length ? r.channels.join(', ') : '* (any channel, not DMs)';
    const who = opensToEveryone(r) ? 'everyone' : [...r.users, ...r.groups.map((g) => `members of ${g}`)].join(', ');
    return `${r.commands.join(', ')}: in ${where}; for ${who}`;
  });
  const directory = policy.rules.some((r) => r.commands.some((c) => c !== 'help' && c !== 'explain'));
  if (!directory) lines.push('directory commands (spn, why-401, adfs, approvals) are closed in chat: set KRBOPS_ALLOW_CHANNELS (and KRBOPS_ALLOW_DMS=true for direct messages)');
  return lines;
}
