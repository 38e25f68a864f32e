/**
 * `krb approvals [id] [--status …]` — the SPN change requests, newest first, or one request with its
 * audit trail; `krb verify <id>` — reads AD now and records whether an approved change landed.
 * Deciding happens on the approval card (Approve / Reject), where the admin is identified by chat.
 */
import { createApprovals, type Approvals } from '../src/approvals/service.js';
import { CommandUsageError } from '../src/errors.js';
import { openStore } from '../src/store/index.js';
import type { ApprovalStatus } from '../src/model/index.js';
import { usageText } from './parse.js';
import type { CommandContext, CommandSpec } from './types.js';
import type { ApprovalResult, ApprovalsListResult } from '../src/model/results.js';
import { APPROVAL_STATUSES, krbApprovalsInfo, krbVerifyInfo } from './catalog.js';


export { APPROVAL_STATUSES };

const LIST_LIMIT = 50;

/** The approvals service of the context, or one over the store of config.dbUrl for this command only (the CLI). */
async function withApprovals<T>(ctx: CommandContext, fn: (a: Approvals) => Promise<T>): Promise<T> {
  if (ctx.approvals) return fn(ctx.approvals);
  const store = await openStore(ctx.config.dbUrl);
  try {
    return await fn(createApprovals({ store, config: ctx.config, log: ctx.log, now: ctx.now }));
  } finally {
    await store.close();
  }
}

export const krbApprovals: CommandSpec<ApprovalsListResult | ApprovalResult> = {
  ...krbApprovalsInfo,
  async run(ctx, args) {
    const id = args.positionals.id?.trim();
    const status = args.options.status as string | undefined;
    if (status !== undefined && !APPROVAL_STATUSES.includes(status.toLowerCase() as ApprovalStatus)) {
      throw new CommandUsageError(`--status must be one of ${APPROVAL_STATUSES.join(', ')}.`, usageText(krbApprovals));
    }
    if (id && status) throw new CommandUsageError('Give a request ID or --status, not both.', usageText(krbApprovals));
    return withApprovals(ctx, async (a) => {
      if (id) {
        const approval = await a.get(id);
        return { kind: 'approval', approval, audit: await a.audit(approval.id), checked: false, approvers: [...a.policy.admins] };
      }
      const s = status?.toLowerCase() as ApprovalStatus | undefined;
      return { kind: 'approvals-list', ...(s ? { status: s } : {}), approvals: await a.list({ status: s, limit: LIST_LIMIT }), admins: a.policy.admins.length, limit: LIST_LIMIT };
    });
  },
};

export const krbVerify: CommandSpec<ApprovalResult> = {
  ...krbVerifyInfo,
  async run(ctx, args) {
    const id = args.positionals.id?.trim();
    if (!id) throw new CommandUsageError('Name the change request to verify.', usageText(krbVerify));
    return withApprovals(ctx, async (a) => {
      const before = await a.get(id);
      const approval = await a.verify(before.id, ctx.actor, () => ctx.directory());
      return { kind: 'approval', approval, audit: await a.audit(approval.id), checked: before.status === 'approved', approvers: [...a.policy.admins] };
    });
  },
};
