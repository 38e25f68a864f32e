/**
 * One finding as Block Kit: severity and title, why it breaks Kerberos, the evidence as a compact
 * list, the fix commands in a code block, and a "Request this change" button when the fix is a
 * set of SPN changes. Shared by the why-401 card and alert cards.
 */
import type { Finding, Severity } from '../../src/model/index.js';
import { actions, button, code, codeBlocks, divider, esc, fitText, section, sections, type Block } from './blocks.js';
import { changeRefValues, REQUEST_CHANGE_ACTION } from './change-ref.js';
import { setspn } from '../../src/fix/index.js';
import { SLACK_LIMITS } from './limits.js';

export const SEVERITY_EMOJI: Record<Severity, string> = {
  critical: ':rotating_light:',
  high: ':red_circle:',
  medium: ':large_orange_circle:',
  low: ':large_yellow_circle:',
  info: ':information_source:',
};
export const UNKNOWN_EMOJI = ':grey_question:';

export function findingHeadline(f: Finding): string {
  const emoji = f.status === 'unknown' ? UNKNOWN_EMOJI : SEVERITY_EMOJI[f.severity] ?? ':red_circle:';
  const label = f.status === 'unknown' ? 'UNKNOWN' : f.severity.toUpperCase();
  return `${emoji} *${label}* · *${esc(f.title)}*${f.subject ? ` — ${code(fitText(f.subject, 200))}` : ''}${f.verified ? ' · :white_check_mark: _verified by Kerberos_' : ''}`;
}

export interface FindingBlocksOptions {
  /** Index of the finding in the message, used to keep action ids unique. */
  index: number;
  /** Put a divider before the finding. Default true. */
  divider?: boolean;
  /** Show the "Request this change" button. Default true. */
  requestButton?: boolean;
  /** The why-401 URL, carried by the button to the change request. */
  url?: string;
}

export function findingBlocks(f: Finding, o: FindingBlocksOptions): Block[] {
  const out: Block[] = [];
  if (o.divider !== false) out.push(divider());

  const lines = [findingHeadline(f)];
  if (f.why) lines.push(`_${esc(f.why)}_`);
  if (f.status === 'unknown' && f.missing?.length) lines.push(`*Would decide it:* ${f.missing.map(esc).join('; ')}`);
  if (f.evidence.length) lines.push('*Evidence*', ...f.evidence.map((e) => `• ${esc(e)}`));
  out.push(...sections(lines));

  const commands = f.fix?.commands ?? [];
  if (f.fix?.summary || commands.length) {
    const summary = `*Fix:* ${esc(f.fix.summary ?? '')}`;
    const fenced = commands.length ? codeBlocks(commands, SLACK_LIMITS.sectionText) : [];
    if (fenced.length && summary.length + 1 + fenced[0].length <= SLACK_LIMITS.sectionText) {
      out.push(section(`${summary}\n${fenced[0]}`), ...fenced.slice(1).map((t) => section(t)));
    } else {
      out.push(section(summary), ...fenced.map((t) => section(t)));
    }
  }

  const changes = f.fix?.spnChanges ?? [];
  if (o.requestButton !== false && changes.length) {
    const { values, tooLong } = changeRefValues({ ruleId: f.ruleId, subject: f.subject, title: fitText(f.title, 150), url: o.url, changes });
    const buttons = values.slice(0, SLACK_LIMITS.actionsElements).map((v, i) => {
      const label =
        values.length === 1
          ? changes.length === 1 ? 'Request this change' : `Request these ${changes.length} changes`
          : `Request: ${setspn.change(v.changes[0])}`;
      return button(label, `${REQUEST_CHANGE_ACTION}:${o.index}:${i}`, v.value, 'primary');
    });
    if (buttons.length) out.push(actions(...buttons));
    const left = values.length - buttons.length + tooLong.length;
    if (left > 0) out.push(section(`_${left} more change${left === 1 ? '' : 's'} cannot be requested from Slack (too long for a button); use the commands above._`));
  }
  return out;
}
