/** Change requests for the terminal (`krb approvals`, `krb verify`). Pure. */
import type { ApprovalRecord, ApprovalResult, ApprovalsListResult } from '../../src/model/index.js';
import { actorLabel } from '../../src/approvals/transitions.js';

const when = (iso?: string) => (iso ? `${iso.replace('T', ' ').slice(0, 16)} UTC` : '');
const changeLine = (c: ApprovalRecord['changes'][number]) => `${c.action === 'add' ? 'add   ' : 'remove'}  ${c.spn}  ${c.account}`;

export function approvalsListText(r: ApprovalsListResult): string {
  const what = r.status ? `${r.status} change requests` : 'change requests';
  if (!r.approvals.length) return `No ${what}.`;
  const lines = [`${r.approvals.length}${r.approvals.length === r.limit ? '+' : ''} ${what}, newest first:`, ''];
  for (const a of r.approvals) {
    const about = a.finding?.title ?? a.changes.map((c) => c.spn).join(', ');
    lines.push(`${a.id}  ${a.status.padEnd(9)}  ${when(a.createdAt)}  ${actorLabel(a.requester)}  ${a.changes.length} change${a.changes.length === 1 ? '' : 's'}  ${about}`);
  }
  if (!r.admins) lines.push('', 'No krbops admins are configured (KRBOPS_ADMINS): nobody can approve.');
  return lines.join('\n');
}

export function approvalText(r: ApprovalResult): string {
  const a = r.approval;
  const lines = [`${a.id}  ${a.status}`, `Requested by ${actorLabel(a.requester)} at ${when(a.createdAt)}`];
  if (a.finding?.title || a.finding?.subject) lines.push(`Finding: ${[a.finding.title, a.finding.ruleId ? `(${a.finding.ruleId})` : '', a.finding.subject ? `— ${a.finding.subject}` : ''].filter(Boolean).join(' ')}`);
  if (a.note) lines.push(`Note: ${a.note}`);
  lines.push('Changes:', ...a.changes.map((c) => `  ${changeLine(c)}`));
  if (a.decidedBy) lines.push(`${a.status === 'cancelled' ? 'Cancelled' : a.status === 'rejected' ? 'Rejected' : 'Approved'} by ${actorLabel(a.decidedBy)} at ${when(a.decidedAt)}${a.decisionReason ? `: ${a.decisionReason}` : ''}`);
  if (a.commands.length) lines.push('Commands for the admin (krbops does not run them):', ...a.commands.map((c) => `  ${c}`));
  if (a.verification) {
    lines.push(`Verified in AD at ${when(a.verification.checkedAt)}: ${a.verification.landed ? 'landed' : 'not landed yet'}`);
    for (const x of a.verification.results) lines.push(`  ${x.landed ? 'ok     ' : 'missing'}  ${x.detail}`);
  } else if (a.status === 'approved') {
    lines.push(`Not verified yet: after running the commands, "krb verify ${a.id}".`);
  }
  if (r.audit.length) {
    lines.push('Audit trail:');
    for (const e of r.audit) lines.push(`  ${when(e.at)}  ${e.action.padEnd(10)}  ${actorLabel(e.actor)}`);
  }
  return lines.join('\n');
}
