/**
 * The approvals service as the chat surfaces see it: one port (ChangeRequestPort) for "Request this
 * change", plus the approve / reject / verify actions their approval cards call. Opens the directory only to read it: for "Verify in
 * AD", and for the NetBIOS domain of the hand-off commands when a change names a bare account.
 */
import type { Logger } from 'pino';
import type { Actor, ApprovalRecord } from '../model/index.js';
import type { Config } from '../config.js';
import { openConfiguredDirectory } from '../directory/open.js';
import type { DirectoryReader } from '../directory/types.js';
import { silentLogger } from '../log.js';
import type { AccessControl, EmailOf } from '../policy/access.js';
import type { ChangeRequestInput, ChangeRequestView } from './types.js';
import type { Approvals, RequestOrigin } from './service.js';
import type { Decision, Step } from './transitions.js';

/** What the "Request this change" button gets back: the view both surfaces render, and the record. */
export interface ApprovalRequestView {
  id: string;
  status: string;
  changes: ApprovalRecord['changes'];
  requestedBy?: string;
  next?: string;
  approval: ApprovalRecord;
}

/**
 * The approval cards' actions. A surface given an object with these methods posts an approval card
 * after each request and routes Approve / Reject / "Verify in AD" to them; a surface given only
 * `requestChange` just records the request.
 */
export interface ApprovalActions {
  /** The chat user IDs allowed to approve (KRBOPS_ADMINS). */
  readonly approvers: readonly string[];
  /** KRBOPS_APPROVER_GROUP_DN, when members of an AD group approve too. */
  readonly approverGroupDn?: string;
  get(id: string): Promise<ApprovalRecord>;
  /**
   * NotAuthorizedError for non-approvers and self-approval; ApprovalStateError when no longer
   * pending or expired; ApprovalStaleError when AD no longer matches the request (approve only).
   * `emailOf`: how the surface finds the actor's e-mail, for the approver group.
   */
  decide(id: string, actor: Actor, decision: Decision, reason?: string, emailOf?: EmailOf): Promise<ApprovalRecord>;
  /** The requester or an approver withdraws a pending request. */
  cancel(id: string, actor: Actor, reason?: string, emailOf?: EmailOf): Promise<ApprovalRecord>;
  /** Reads AD now and records the result. */
  verify(id: string, actor: Actor): Promise<ApprovalRecord>;
  /** Where the request was made (chat channel), to tell the requester about the decision. */
  origin(id: string): Promise<RequestOrigin>;
  can(record: ApprovalRecord, actor: Actor, step: Step): boolean;
}

/**
 * The one approvals port the chat surfaces are given (Slack and Teams alike): "Request this change",
 * and optionally the approval cards' actions. Without the actions, a request is only recorded.
 */
export type ChangeRequestPort = { requestChange(input: ChangeRequestInput): Promise<ChangeRequestView> } & Partial<ApprovalActions>;

/** The port when it offers the approval actions too (not only requestChange). */
export function approvalFlow(p: ChangeRequestPort | undefined): (ChangeRequestPort & ApprovalActions) | undefined {
  return p && typeof p.get === 'function' && typeof p.decide === 'function' && typeof p.cancel === 'function' && typeof p.verify === 'function' && typeof p.origin === 'function' && Array.isArray(p.approvers)
    ? (p as ChangeRequestPort & ApprovalActions)
    : undefined;
}

export interface ChatApprovals extends ApprovalActions {
  requestChange(input: ChangeRequestInput): Promise<ApprovalRequestView>;
}

export interface ChatApprovalsOptions {
  approvals: Approvals;
  config: Config;
  /** Default: silent. */
  log?: Logger;
  /** Opens a directory for one verification or pre-flight (closed afterwards). Default: the LDAP directory of `config`. */
  openDirectory?: (config: Config, log: Logger) => Promise<DirectoryReader>;
  /** The access check, for approvers from KRBOPS_APPROVER_GROUP_DN (by e-mail). Without it, only KRBOPS_ADMINS approve. */
  access?: AccessControl;
}

/** The sentence under a new request: who decides and what happens after. */
export function nextStepsText(approvers: readonly string[], groupDn?: string): string {
  if (!approvers.length && !groupDn) return 'Pending, but no krbops admins are configured (KRBOPS_ADMINS), so nobody can approve it yet.';
  const who = [approvers.length ? `${approvers.length === 1 ? 'one admin' : `${approvers.length} admins`} of KRBOPS_ADMINS` : '', groupDn ? 'members of the approver group' : ''].filter(Boolean).join(' or ');
  return (
    `Pending until a krbops approver approves it (${who} can). ` +
    'krbops never changes AD itself: the approving admin gets the exact setspn commands to run, then krbops checks in AD that they landed.'
  );
}

export function createChatApprovals(o: ChatApprovalsOptions): ChatApprovals {
  const log = o.log ?? silentLogger;
  const open = o.openDirectory ?? openConfiguredDirectory;
  const approvers = [...o.approvals.policy.admins];
  const approverGroupDn = o.approvals.policy.approverGroupDn;

  /** Whether the actor is in the approver group: looked up only when it could matter. */
  async function inApproverGroup(actor: Actor, emailOf?: EmailOf): Promise<boolean> {
    if (!approverGroupDn || !o.access || approvers.includes(actor.id)) return false;
    return o.access.inGroup(actor, approverGroupDn, emailOf);
  }

  async function withDirectory<T>(fn: (d: DirectoryReader) => Promise<T>): Promise<T> {
    const d = await open(o.config, log);
    try {
      return await fn(d);
    } finally {
      await d.close().catch((e: unknown) => log.warn({ err: e }, 'closing the directory failed'));
    }
  }

  /** A directory opened on first use and closed when `fn` ends. */
  async function withLazyDirectory<T>(fn: (open: () => Promise<DirectoryReader>) => Promise<T>): Promise<T> {
    let opened: Promise<DirectoryReader> | undefined;
    try {
      return await fn(() => (opened ??= open(o.config, log)));
    } finally {
      const d = await opened?.catch(() => undefined);
      await d?.close().catch((e: unknown) => log.warn({ err: e }, 'closing the directory failed'));
    }
  }

  return {
    approvers,
    ...(approverGroupDn ? { approverGroupDn } : {}),

    async requestChange(input) {
      // Pre-flight: AD is read as setspn would before anything is recorded.
      const r = await withLazyDirectory((directory) =>
        o.approvals.requestChange({ changes: input.changes, finding: input.finding, url: input.url, channelId: input.channelId, reference: input.reference }, input.requester, { directory }),
      );
      return { id: r.id, status: r.status, changes: r.changes, requestedBy: input.requester.name ?? input.requester.id, next: nextStepsText(approvers, approverGroupDn), approval: r };
    },

    get: (id) => o.approvals.get(id),

    async decide(id, actor, decision, reason, emailOf) {
      let netbiosDomain: string | undefined;
      const facts = { inApproverGroup: await inApproverGroup(actor, emailOf) };
      if (decision === 'approve') {
        const r = await o.approvals.get(id);
        // Only for an approval that will go through, and only when a change names a bare account.
        if (o.approvals.can(r, actor, 'approve', facts) && r.changes.some((c) => !c.account.includes('\\'))) {
          netbiosDomain = await withDirectory(async (d) => (await d.info()).netbiosDomain).catch((e: unknown) => {
            log.warn({ err: e, request: r.id }, 'could not read the NetBIOS domain; the commands name the accounts as requested');
            return undefined;
          });
        }
      }
      // An approval reads AD again (pre-flight) before handing anything off.
      return withLazyDirectory((directory) => o.approvals.decide(id, actor, decision, { reason, netbiosDomain, ...facts, ...(decision === 'approve' ? { directory } : {}) }));
    },

    async cancel(id, actor, reason, emailOf) {
      return o.approvals.cancel(id, actor, reason, { inApproverGroup: await inApproverGroup(actor, emailOf) });
    },

    async verify(id, actor) {
      let opened: DirectoryReader | undefined;
      try {
        return await o.approvals.verify(id, actor, async () => (opened = await open(o.config, log)));
      } finally {
        await opened?.close().catch((e: unknown) => log.warn({ err: e }, 'closing the directory failed'));
      }
    },

    origin: (id) => o.approvals.origin(id),
    can: (r, actor, step) => o.approvals.can(r, actor, step),
  };
}
