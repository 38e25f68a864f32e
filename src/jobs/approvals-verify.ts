/**
 * `approvals-verify`: krbops never writes to AD, so after an admin approves an SPN change it keeps
 * reading AD until the change has landed. On the duplicate-watch schedule it verifies every approved
 * request (read-only) and announces, once per request, when all its changes are in place. A request
 * is announced at most once: the alert key is the request ID.
 */
import { createApprovals } from '../approvals/index.js';
import type { Config } from '../config.js';
import type { Alert } from '../notify.js';
import type { ApprovalRecord } from '../model/index.js';
import type { Job, JobContext } from './types.js';

export const APPROVALS_JOB = 'approvals-verify';

export interface ApprovalsVerifySummary {
  checked: number;
  landed: string[];
  pending: string[];
  errors: { id: string; error: string }[];
}

export function landedAlert(r: ApprovalRecord): Alert {
  const lines = (r.verification?.results ?? []).map((x) => `${x.landed ? '✓' : '✗'} ${x.detail}`);
  return {
    key: `approvals:${r.id}:landed`,
    title: `SPN change ${r.id} has landed in Active Directory`,
    severity: 'info',
    text: [`The change requested by ${r.requester.name ?? r.requester.id} and approved by ${r.decidedBy?.name ?? r.decidedBy?.id ?? 'an admin'} is now visible in AD.`, ...lines].join('\n'),
    lines,
    job: APPROVALS_JOB,
    at: r.verification?.checkedAt,
  };
}

export function approvalsVerifyJob(config: Config): Job {
  return {
    name: APPROVALS_JOB,
    schedule: config.schedules.dupes,
    scheduleVariable: 'KRBOPS_SCHEDULE_DUPES',
    source: 'SPN change approvals',
    async run(ctx: JobContext): Promise<ApprovalsVerifySummary> {
      const approvals = createApprovals({ store: ctx.store, config, log: ctx.log, now: () => ctx.now() });
      const approved = await approvals.list({ status: 'approved', limit: 200 });
      const summary: ApprovalsVerifySummary = { checked: 0, landed: [], pending: [], errors: [] };
      for (const r of approved) {
        ctx.signal.throwIfAborted();
        summary.checked++;
        try {
          const after = await approvals.verify(r.id, { surface: 'scheduler', id: APPROVALS_JOB, name: 'krbops scheduler' }, () => ctx.directory());
          if (after.status === 'landed') {
            summary.landed.push(r.id);
            await ctx.deliver(landedAlert(after));
          } else summary.pending.push(r.id);
        } catch (e) {
          summary.errors.push({ id: r.id, error: (e as Error).message });
          ctx.log.warn({ err: e, id: r.id }, 'verifying an approved SPN change failed');
        }
      }
      return summary;
    },
  };
}
