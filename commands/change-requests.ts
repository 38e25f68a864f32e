/**
 * The approvals flow as every chat surface runs it (the orchestration that was inside
 * slack/app.ts and teams/bot.ts): "Request this change" on a finding, and Approve / Reject /
 * "Verify in AD" on an approval card. The surfaces only deliver and render what these return.
 */
import type { Logger } from 'pino';
import { ApprovalStaleError, ApprovalStateError } from '../src/approvals/errors.js';
import { approvalFlow, type ChangeRequestPort } from '../src/approvals/ports.js';
import type { RequestOrigin } from '../src/approvals/service.js';
import type { ChangeRequestInput, ChangeRequestView } from '../src/approvals/types.js';
import type { EmailOf } from '../src/policy/access.js';
import { KrbopsError } from '../src/errors.js';
import { newLogRef } from '../src/log.js';
import type { Actor, ApprovalRecord, ErrorResult } from '../src/model/index.js';
import { errorResultOf } from './error-result.js';

export type ChangeRequestOutcome =
  /** No approvals port: nothing was recorded. */
  | { type: 'unavailable' }
  /** Recorded. With the approval actions, `approval` is the record the admins' card shows. */
  | { type: 'recorded'; view: ChangeRequestView; approval?: { record: ApprovalRecord; approvers: readonly string[] } }
  | { type: 'failed'; error: ErrorResult; thrown: unknown };

export async function requestChange(port: ChangeRequestPort | undefined, input: ChangeRequestInput, log: Logger): Promise<ChangeRequestOutcome> {
  if (!port) return { type: 'unavailable' };
  try {
    const view = await port.requestChange(input);
    log.info({ id: view.id, changes: input.changes.length }, 'change requested');
    const flow = approvalFlow(port);
    if (!flow) return { type: 'recorded', view };
    return { type: 'recorded', view, approval: { record: await flow.get(view.id), approvers: flow.approvers } };
  } catch (e) {
    const ref = newLogRef();
    if (!(e instanceof KrbopsError)) log.error({ err: e, ref }, 'change request failed');
    return { type: 'failed', error: errorResultOf(e, ref), thrown: e };
  }
}

export type ApprovalStep = 'approve' | 'reject' | 'verify' | 'cancel';

export type ApprovalActionOutcome =
  /** The port has no approval actions: nothing changed. */
  | { type: 'unavailable' }
  /** Recorded; `origin` (approve / reject, when asked) is where the request was made, to tell the requester. */
  | { type: 'done'; record: ApprovalRecord; approvers: readonly string[]; origin?: RequestOrigin }
  /**
   * Refused or failed; nothing changed. `current` is the request as it is now when someone else
   * decided first (ApprovalStateError), so the surface can show the card as it is.
   */
  | { type: 'refused'; error: ErrorResult; thrown: unknown; ref: string; current?: ApprovalRecord; /** Why the card is shown as it is (expired, stale, decided already). */ notice?: string; approvers: readonly string[] };

export async function approvalAction(
  port: ChangeRequestPort | undefined,
  a: { id: string; actor: Actor; step: ApprovalStep; withOrigin?: boolean; reason?: string; emailOf?: EmailOf },
  log: Logger,
): Promise<ApprovalActionOutcome> {
  const flow = approvalFlow(port);
  if (!flow) return { type: 'unavailable' };
  try {
    const record =
      a.step === 'verify' ? await flow.verify(a.id, a.actor)
      : a.step === 'cancel' ? await flow.cancel(a.id, a.actor, a.reason, a.emailOf)
      : await flow.decide(a.id, a.actor, a.step, a.reason, a.emailOf);
    log.info({ status: record.status }, 'approval action recorded');
    const origin = a.withOrigin && a.step !== 'verify' ? await flow.origin(record.id).catch(() => ({ channelId: undefined })) : undefined;
    return { type: 'done', record, approvers: flow.approvers, ...(origin ? { origin } : {}) };
  } catch (e) {
    const ref = newLogRef();
    if (!(e instanceof KrbopsError)) log.error({ err: e, ref }, 'approval action failed');
    else log.info({ code: e.code }, e.message);
    const shown = e instanceof ApprovalStateError || e instanceof ApprovalStaleError;
    const current = shown ? await flow.get(e.id).catch(() => undefined) : undefined;
    return { type: 'refused', error: errorResultOf(e, ref), thrown: e, ref, approvers: flow.approvers, ...(current ? { current, notice: (e as Error).message } : {}) };
  }
}
