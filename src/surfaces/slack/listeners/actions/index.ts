import type { App } from '@slack/bolt';
import type { ListenerEnv } from '../env.js';
import { registerApprovalActions } from './approval.js';
import { registerRequestChange } from './request-change.js';

/** Button listeners: "Request this change", and Approve / Reject / "Verify in AD" on approval cards. */
export function register(app: App, env: ListenerEnv): void {
  registerRequestChange(app, env);
  registerApprovalActions(app, env);
}
