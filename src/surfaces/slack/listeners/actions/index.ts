import type { App } from '@slack/bolt';
import type { ListenerEnv } from '../env.js';
import { approvalFlow } from '../../../../approvals/ports.js';
import { registerReasonDialog } from '../../approval-reason.js';
import { registerApprovalActions } from './approval.js';
import { registerRequestChange } from './request-change.js';

/** Button listeners: "Request this change", Approve / Reject / Cancel / "Verify in AD" on approval cards, and the reason dialog. */
export function register(app: App, env: ListenerEnv): void {
  registerRequestChange(app, env);
  registerApprovalActions(app, env);
  registerReasonDialog(app, { flow: () => approvalFlow(env.deps.approvals), log: env.log, track: env.track });
}
