/**
 * What every Slack listener is given (bolt-js style: each folder's `register(app, env)` adds its
 * listeners to the app).
 */
import type { Logger } from 'pino';
import type { ApprovalActions } from '../../../approvals/ports.js';
import type { Config } from '../../../config.js';
import type { ChangeRequestPort, SlackDeps } from '../types.js';

export interface ListenerEnv {
  config: Config;
  deps: SlackDeps;
  log: Logger;
  /** Keeps a handler's promise in the set `drain()` waits for. */
  track<T>(p: Promise<T>): Promise<T>;
}

/** The approvals port when it offers the approval actions too (not only requestChange). */
export function approvalFlow(p: SlackDeps['approvals']): (ChangeRequestPort & ApprovalActions) | undefined {
  return p && typeof p.get === 'function' && typeof p.decide === 'function' && typeof p.verify === 'function' && typeof p.origin === 'function' && Array.isArray(p.approvers)
    ? (p as ChangeRequestPort & ApprovalActions)
    : undefined;
}
