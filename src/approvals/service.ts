/**
 * The approvals service: the pure transitions (transitions.ts) plus the store I/O around them.
 * Each step reads the record, applies one transition, and writes the record (compare-and-set on its
 * status, so two admins clicking at once cannot both decide) together with its audit events in one
 * transaction. Active Directory is only read, in `verify`.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Actor, ApprovalRecord, ApprovalStatus, AuditEvent, SpnChange } from '../model/index.js';
import type { Config } from '../config.js';
import type { DirectoryReader } from '../directory/types.js';
import { NotAuthorizedError, truncate } from '../errors.js';
import { silentLogger } from '../log.js';
import type { Store } from '../store/types.js';
import { handOffCommands, normaliseChanges, rollbackCommands } from './changes.js';
import { ApprovalNotFoundError, ApprovalPreflightError, ApprovalStaleError, ApprovalStateError } from './errors.js';
import { preflight, preflightProblems, whatChanged } from './preflight.js';
import {
  approve, assertAllowed, cancel, createRequest, deniedEvent, expire, isExpired, permission, recordVerification, reject,
  type ActorFacts, type ApprovalPolicy, type Decision, type Step, type Transition,
} from './transitions.js';
import { judgeChange, type ChangeObservation } from './verification.js';

/** What a "Request this change" click (or any caller) asks for. */
export interface RequestInput {
  changes: SpnChange[];
  /** The finding the request came from. */
  finding?: ApprovalRecord['finding'];
  /** Why the engineer asks (free text, at most 1000 characters kept). */
  note?: string;
  /** The why-401 URL the finding came from (kept in the audit trail). */
  url?: string;
  /** The chat channel the request was made in, for replies about the decision (kept in the audit trail). */
  channelId?: string;
  /** Teams: the conversation reference of the request (kept in the audit trail) for the decision's reply. */
  reference?: Record<string, unknown>;
}

export interface DecideOptions {
  reason?: string;
  /** NetBIOS domain put in front of accounts given without one (`crmweb` → `CONTOSO\crmweb`). */
  netbiosDomain?: string;
  /** The actor is in KRBOPS_APPROVER_GROUP_DN (looked up by the caller through their e-mail). */
  inApproverGroup?: boolean;
  /** For an approval: AD is read again (pre-flight) before anything is handed off. */
  directory?: DirectorySource;
}

export interface ApprovalsOptions {
  store: Store;
  /** `admins` (KRBOPS_ADMINS), the approver group, and how long a request waits (KRBOPS_APPROVAL_TTL). */
  config: Pick<Config, 'admins'> & Partial<Pick<Config, 'approverGroupDn' | 'approvalTtlMs'>>;
  /** Default: silent. */
  log?: Logger;
  /** Default: the system clock. */
  now?: () => Date;
  /** Makes request IDs. Default `CR-` and 8 random hex digits (CR-7F3A09C2). */
  newId?: () => string;
}

export interface Approvals {
  readonly policy: ApprovalPolicy;
  /**
   * Records a pending request (audit: requested) that expires after KRBOPS_APPROVAL_TTL. With a
   * directory, AD is read first (pre-flight) and a change that cannot be made or is not needed is
   * refused (ApprovalPreflightError). Throws InvalidInputError for bad or empty changes.
   */
  requestChange(input: RequestInput, requester: Actor, options?: { directory?: DirectorySource }): Promise<ApprovalRecord>;
  /**
   * Approve (audit: approved, handed-off — the record then carries the exact setspn commands) or
   * reject (audit: rejected). NotAuthorizedError for non-admins and self-approval (audited as
   * denied), ApprovalStateError when the request is no longer pending.
   */
  decide(id: string, actor: Actor, decision: Decision, options?: DecideOptions): Promise<ApprovalRecord>;
  /** Withdraws a pending request: the requester or an approver. */
  cancel(id: string, actor: Actor, reason?: string, facts?: Pick<ActorFacts, 'inApproverGroup'>): Promise<ApprovalRecord>;
  /**
   * Reads AD and records whether each change landed (audit: verified, and landed when all did).
   * A landed request is returned as it is, without reading AD again.
   */
  verify(id: string, actor: Actor, directory: DirectorySource): Promise<ApprovalRecord>;
  /** Newest first. */
  list(options?: { status?: ApprovalStatus; limit?: number }): Promise<ApprovalRecord[]>;
  /** Throws ApprovalNotFoundError. */
  get(id: string): Promise<ApprovalRecord>;
  /** The audit trail of one request, oldest first. */
  audit(id: string): Promise<AuditEvent[]>;
  /** Where the request was made (channel, URL), from its `requested` audit event. */
  origin(id: string): Promise<RequestOrigin>;
  /** Whether `actor` may take `step` now (for cards that show buttons only to who can use them). */
  can(record: ApprovalRecord, actor: Actor, step: Step, facts?: Pick<ActorFacts, 'inApproverGroup'>): boolean;
}

/** Where a request was made: chat channel, why-401 URL, Teams conversation reference. */
export interface RequestOrigin {
  channelId?: string;
  url?: string;
  reference?: Record<string, unknown>;
}

/** The directory, or a way to open it that is called only when AD must be read. */
export type DirectorySource = DirectoryReader | (() => Promise<DirectoryReader>);

/** Request IDs as people type them: `cr-7f3a09c2` and ` CR-7F3A09C2 ` are the same. */
export function normaliseRequestId(id: string): string {
  return String(id ?? '').trim().toUpperCase();
}

export const REQUEST_ID = /^CR-[0-9A-F]{8}$/;

const MAX_NOTE = 1000;
const MAX_FINDING_TEXT = 500;

function cleanFinding(f: RequestInput['finding']): ApprovalRecord['finding'] | undefined {
  if (!f) return undefined;
  const out: NonNullable<ApprovalRecord['finding']> = {};
  if (typeof f.ruleId === 'string' && f.ruleId) out.ruleId = truncate(f.ruleId, 100);
  if (typeof f.title === 'string' && f.title) out.title = truncate(f.title, MAX_FINDING_TEXT);
  if (typeof f.subject === 'string' && f.subject) out.subject = truncate(f.subject, MAX_FINDING_TEXT);
  return Object.keys(out).length ? out : undefined;
}

export function createApprovals(options: ApprovalsOptions): Approvals {
  const { store } = options;
  const log = options.log ?? silentLogger;
  const now = options.now ?? (() => new Date());
  const newId = options.newId ?? (() => `CR-${randomBytes(4).toString('hex').toUpperCase()}`);
  const policy: ApprovalPolicy = { admins: [...options.config.admins], ...(options.config.approverGroupDn ? { approverGroupDn: options.config.approverGroupDn } : {}) };
  const ttlMs = options.config.approvalTtlMs ?? 24 * 3_600_000;
  const at = () => now().toISOString();

  async function find(id: string): Promise<ApprovalRecord> {
    const key = normaliseRequestId(id);
    const r = REQUEST_ID.test(key) ? await store.getApproval(key) : undefined;
    if (!r) throw new ApprovalNotFoundError(String(id ?? '').trim());
    return r;
  }

  /** Writes a transition; false when the record's status changed since it was read. */
  async function commit(from: ApprovalRecord, t: Transition): Promise<boolean> {
    const { id: _id, createdAt: _c, requester: _r, ...patch } = t.record;
    return store.transaction(async (tx) => {
      if (!(await tx.updateApproval(from.id, from.status, patch))) return false;
      for (const e of t.events) await tx.appendAudit(e);
      return true;
    });
  }

  /**
   * Runs one step: refusals of authority are audited as `denied`; a lost race (someone else
   * decided in between) is reported with the state the record has now.
   */
  async function step(id: string, actor: Actor, name: Step, make: (r: ApprovalRecord) => Transition | Promise<Transition>, facts: ActorFacts = {}): Promise<ApprovalRecord> {
    const r = await find(id);
    // Past its time, a pending request becomes expired (recorded once) whoever tries to act on it.
    if (name !== 'verify' && isExpired(r, at())) {
      const p = permission(r, actor, name, policy, { ...facts, now: at() });
      if (!p.allowed && p.refusal === 'expired') {
        await commit(r, expire(r, actor, at()));
        log.info({ request: r.id, actor: actor.id, step: name }, 'approvals: expired');
        throw new ApprovalStateError(r.id, 'expired', p.message);
      }
    }
    let t: Transition;
    try {
      t = await make(r);
    } catch (e) {
      if (e instanceof NotAuthorizedError) {
        await store.appendAudit(deniedEvent(r, actor, name, at(), e.message));
        log.warn({ request: r.id, actor: actor.id, surface: actor.surface, step: name }, 'approvals: refused');
      }
      throw e;
    }
    if (!(await commit(r, t))) {
      const current = await find(id);
      const p = permission(current, actor, name, policy, facts);
      throw new ApprovalStateError(current.id, current.status, p.allowed ? `${current.id} changed while this was being done; try again.` : p.message);
    }
    log.info({ request: r.id, actor: actor.id, surface: actor.surface, step: name, status: t.record.status }, 'approvals: recorded');
    return t.record;
  }

  async function observe(change: SpnChange, directory: DirectoryReader): Promise<ChangeObservation> {
    const facts = (change.accountDn ? await directory.tryFindAccount(change.accountDn) : undefined) ?? (await directory.tryFindAccount(change.account));
    const holders = (await directory.spnHolders(change.spn)).filter((h) => h.via === 'exact');
    return {
      change,
      account: facts && { dn: facts.dn, sAMAccountName: facts.sAMAccountName, spns: facts.servicePrincipalName },
      holders: holders.map((h) => ({ dn: h.dn, sAMAccountName: h.sAMAccountName })),
    };
  }

  /** Reads AD for every change and judges them as setspn would (pre-flight). */
  async function readPreflight(changes: readonly SpnChange[], directory: DirectorySource) {
    const dir = typeof directory === 'function' ? await directory() : directory;
    const observed: ChangeObservation[] = [];
    for (const c of changes) observed.push(await observe(c, dir));
    return preflight(observed, at());
  }

  return {
    policy,

    async requestChange(input, requester, ro = {}) {
      const changes = normaliseChanges(input.changes);
      let report: ApprovalRecord['preflight'];
      if (ro.directory) {
        report = await readPreflight(changes, ro.directory);
        if (!report.ok) {
          log.info({ requester: requester.id, problems: preflightProblems(report).length }, 'approvals: request refused by pre-flight');
          throw new ApprovalPreflightError(preflightProblems(report));
        }
      }
      const note = typeof input.note === 'string' && input.note.trim() ? truncate(input.note.trim(), MAX_NOTE) : undefined;
      const origin = {
        ...(typeof input.channelId === 'string' && input.channelId ? { channelId: truncate(input.channelId, 200) } : {}),
        ...(typeof input.url === 'string' && input.url ? { url: truncate(input.url, 2048) } : {}),
        ...(input.reference && typeof input.reference === 'object' && JSON.stringify(input.reference).length < 8000 ? { reference: input.reference } : {}),
      };
      const t = createRequest({
        id: newId(), requester, changes, finding: cleanFinding(input.finding), note, origin, at: at(),
        expiresAt: new Date(now().getTime() + ttlMs).toISOString(), ...(report ? { preflight: report } : {}),
      });
      await store.transaction(async (tx) => {
        await tx.insertApproval(t.record);
        for (const e of t.events) await tx.appendAudit(e);
      });
      log.info({ request: t.record.id, requester: requester.id, surface: requester.surface, changes: changes.length }, 'approvals: requested');
      return t.record;
    },

    decide(id, actor, decision, o = {}) {
      const reason = o.reason?.trim() ? truncate(o.reason.trim(), MAX_NOTE) : undefined;
      const facts: ActorFacts = { inApproverGroup: o.inApproverGroup };
      return step(
        id,
        actor,
        decision,
        async (r) => {
          if (decision === 'reject') return reject(r, actor, { at: at(), reason, policy, facts });
          // Refuse before reading AD: a non-approver's click causes no directory traffic.
          assertAllowed(r, actor, 'approve', policy, { ...facts, now: at() });
          let report: ApprovalRecord['preflight'];
          if (o.directory) {
            report = await readPreflight(r.changes, o.directory);
            const changed = whatChanged(r.preflight, report);
            if (changed.length) {
              await store.appendAudit({ requestId: r.id, at: at(), actor, action: 'stale', detail: { preflight: report } });
              log.info({ request: r.id, actor: actor.id }, 'approvals: stale at approval; nothing handed off');
              throw new ApprovalStaleError(r.id, changed);
            }
          }
          return approve(r, actor, {
            at: at(), reason, policy, facts, commands: handOffCommands(r.changes, o.netbiosDomain), rollback: rollbackCommands(r.changes, o.netbiosDomain), ...(report ? { preflight: report } : {}),
          });
        },
        facts,
      );
    },

    cancel(id, actor, reason, f = {}) {
      const facts: ActorFacts = { inApproverGroup: f.inApproverGroup };
      return step(id, actor, 'cancel', (r) => cancel(r, actor, { at: at(), reason: reason?.trim() ? truncate(reason.trim(), MAX_NOTE) : undefined, policy, facts }), facts);
    },

    async verify(id, actor, directory) {
      const r = await find(id);
      if (r.status === 'landed') return r;
      return step(r.id, actor, 'verify', async (current) => {
        // Refuse before reading AD: a pending or rejected request causes no directory traffic.
        assertAllowed(current, actor, 'verify', policy);
        const dir = typeof directory === 'function' ? await directory() : directory;
        const results = [];
        for (const c of current.changes) results.push(judgeChange(await observe(c, dir)));
        return recordVerification(current, actor, { checkedAt: at(), landed: false, results }, { policy });
      });
    },

    list(o = {}) {
      return store.listApprovals({ status: o.status, limit: o.limit ?? 50 });
    },

    get: find,

    async audit(id) {
      const r = await find(id);
      return store.listAudit({ requestId: r.id });
    },

    async origin(id) {
      const r = await find(id);
      const [first] = await store.listAudit({ requestId: r.id, limit: 1 });
      const o = (first?.action === 'requested' ? (first.detail as { origin?: RequestOrigin } | undefined)?.origin : undefined) ?? {};
      return {
        ...(typeof o.channelId === 'string' ? { channelId: o.channelId } : {}),
        ...(typeof o.url === 'string' ? { url: o.url } : {}),
        ...(o.reference && typeof o.reference === 'object' ? { reference: o.reference } : {}),
      };
    },

    can(record, actor, s, f = {}) {
      return permission(record, actor, s, policy, { inApproverGroup: f.inApproverGroup, now: at() }).allowed;
    },
  };
}
