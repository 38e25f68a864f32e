/**
 * The access check as the command path calls it: evaluate the policy, and only when the answer
 * depends on AD groups, resolve the chat user's e-mail (from the chat platform, never from the
 * message) and look up their groups — both cached for KRBOPS_IDENTITY_CACHE_MINUTES.
 *
 * A refusal costs nothing else: the command is not run, so nothing is queried for it.
 */
import type { Logger } from 'pino';
import type { GroupMembershipReader } from '../directory/membership.js';
import { silentLogger } from '../log.js';
import { capabilityOf } from './capabilities.js';
import { evaluate, isDecided, type AccessRequest } from './evaluate.js';
import { CAPABILITIES, type AccessDecision, type AccessPolicy, type Asker, type Capability, type Place } from './types.js';

/** How a surface finds the e-mail address its platform vouches for (Slack users.info, Teams member UPN). */
export type EmailOf = (asker: Asker) => Promise<string | undefined>;

export interface AccessControlOptions {
  policy: AccessPolicy;
  /** The directory lookup; absent: group rules never match (and the start-up log says so). */
  membership?: GroupMembershipReader;
  log?: Logger;
  now?: () => number;
}

export interface AccessControl {
  readonly policy: AccessPolicy;
  /** Decides one request; `emailOf` is called only when a group rule decides. */
  authorize(req: AccessRequest, emailOf?: EmailOf): Promise<AccessDecision>;
  /** The capabilities the asker has here (for `/krb help`). */
  capabilities(asker: Asker, place: Place | undefined, emailOf?: EmailOf): Promise<Capability[]>;
  /** Whether the asker is (nested) in `groupDn`, by the same e-mail matching (approvers). */
  inGroup(asker: Asker, groupDn: string, emailOf?: EmailOf): Promise<boolean>;
  /** Lookups made so far: e-mail resolutions and directory searches (for tests and /metrics). */
  readonly lookups: { emails: number; directory: number };
}

interface Cached<T> {
  value: T;
  at: number;
}

export function createAccessControl(o: AccessControlOptions): AccessControl {
  const log = o.log ?? silentLogger;
  const now = o.now ?? Date.now;
  const ttl = o.policy.identityCacheMs;
  const emails = new Map<string, Cached<string | undefined>>();
  const groups = new Map<string, Cached<string[]>>();
  const lookups = { emails: 0, directory: 0 };
  const fresh = <T>(c: Cached<T> | undefined): c is Cached<T> => !!c && now() - c.at < ttl;

  async function emailFor(asker: Asker, emailOf: EmailOf): Promise<string | undefined> {
    const key = `${asker.surface}:${asker.id}`;
    const hit = emails.get(key);
    if (fresh(hit)) return hit.value;
    lookups.emails++;
    const value = (await emailOf(asker))?.trim().toLowerCase() || undefined;
    emails.set(key, { value, at: now() });
    return value;
  }

  /** The asker's groups among `wanted` (lower-case DNs). Failures refuse, and are not cached. */
  async function groupsFor(asker: Asker, wanted: string[], emailOf?: EmailOf): Promise<string[]> {
    if (!o.membership || !emailOf || !wanted.length) return [];
    const email = await emailFor(asker, emailOf);
    if (!email) return [];
    const key = `${email}\u0000${[...wanted].sort().join('\u0000')}`;
    const hit = groups.get(key);
    if (fresh(hit)) return hit.value;
    lookups.directory++;
    const value = (await o.membership.groupsOf(email, wanted)).map((g) => g.toLowerCase());
    groups.set(key, { value, at: now() });
    log.info({ user: asker.id, surface: asker.surface, groups: value.length }, 'access: AD groups looked up by e-mail');
    return value;
  }

  async function authorize(req: AccessRequest, emailOf?: EmailOf): Promise<AccessDecision> {
    const first = evaluate(o.policy, req);
    if (isDecided(first)) return first;
    let mine: string[];
    try {
      mine = await groupsFor(req.asker, first.needsGroups, emailOf);
    } catch (e) {
      log.warn({ err: e, user: req.asker.id }, 'access: could not look up AD groups; refusing');
      mine = [];
    }
    const second = evaluate(o.policy, req, mine);
    return isDecided(second) ? second : { allowed: false, refusal: 'person', message: 'Sorry, krbops could not check your access. Nothing was looked up.' };
  }

  return {
    policy: o.policy,
    lookups,
    authorize,
    async capabilities(asker, place, emailOf) {
      const out: Capability[] = [];
      for (const capability of CAPABILITIES) if ((await authorize({ capability, asker, place }, emailOf)).allowed) out.push(capability);
      return out;
    },
    async inGroup(asker, groupDn, emailOf) {
      if (asker.surface !== 'slack' && asker.surface !== 'teams') return false;
      try {
        return (await groupsFor(asker, [groupDn.toLowerCase()], emailOf)).length > 0;
      } catch (e) {
        log.warn({ err: e, user: asker.id }, 'approvers: could not look up the AD group; not an approver');
        return false;
      }
    },
  };
}

export { capabilityOf };
