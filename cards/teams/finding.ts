/**
 * One finding as an Adaptive Card container: severity label in its colour, title, why, the evidence
 * as a FactSet, the fix commands in a copy-friendly monospace block, and "Request this change" when
 * the fix is a set of SPN changes. Shared by every card that shows findings (why-401, explain, ADFS).
 */
import type { Finding, Severity, SpnChange } from '../../src/model/index.js';
import { codeBlock, container, facts, text, type Colour, type Container, type ExecuteAction, type Fact } from './adaptive.js';
import { clip } from './split.js';

/** The verb of the "Request this change" button; the Teams surface routes it to the approvals flow. */
export const REQUEST_CHANGE_VERB = 'krbops.requestChange';

/** What a "Request this change" button carries back in its invoke. */
export interface RequestChangeData {
  ruleId: string;
  subject?: string;
  /** The URL of the why-401 question, when there was one. */
  url?: string;
  summary: string;
  changes: SpnChange[];
}

/** Severity → the colour Teams gives it (TextBlock color / Container style). */
export const SEVERITY_COLOUR: Record<Severity, Colour> = {
  critical: 'Attention',
  high: 'Attention',
  medium: 'Warning',
  low: 'Accent',
  info: 'Accent',
};

/** Caps that keep one finding well inside a card, whatever the rule produced. */
export const FINDING_LIMITS = { evidence: 25, commands: 20 };

/** "HTTP/crm: held by CRMWEB$" → { title: 'HTTP/crm', value: 'held by CRMWEB$' }; lines without a short label get a number. */
export function evidenceFacts(lines: string[], max = FINDING_LIMITS.evidence): Fact[] {
  const shown = lines.slice(0, max).map((line, i): Fact => {
    const m = /^([^:]{1,48}):\s+(.+)$/s.exec(line);
    // "label: value" needs a space after the colon, so "HTTP/crm:8080" and "http://crm" stay whole.
    if (m) return { title: clip(m[1], 60), value: clip(m[2]) };
    return { title: `${i + 1}.`, value: clip(line) };
  });
  if (lines.length > max) shown.push({ title: '…', value: `${lines.length - max} more line(s); the CLI with --json shows them all.` });
  return shown;
}

export function requestChangeAction(data: RequestChangeData): ExecuteAction {
  return { type: 'Action.Execute', title: 'Request this change', verb: REQUEST_CHANGE_VERB, data: { ...data } };
}

export interface FindingOptions {
  /** The why-401 URL, carried in the request-change data. */
  url?: string;
  /** Position in the ranking (1 = most likely cause). */
  rank?: number;
}

export function findingContainer(f: Finding, options: FindingOptions = {}): Container {
  const colour = SEVERITY_COLOUR[f.severity] ?? 'Default';
  const label = f.status === 'unknown' ? `${f.severity.toUpperCase()} · UNKNOWN` : f.severity.toUpperCase();
  const items: Container['items'] = [
    {
      type: 'ColumnSet',
      columns: [
        { type: 'Column', width: 'auto', items: [text(label, { color: colour, weight: 'Bolder', wrap: false })] },
        {
          type: 'Column',
          width: 'stretch',
          items: [text(clip(`${options.rank ? `${options.rank}. ` : ''}${f.title}`, 300), { weight: 'Bolder', color: colour })],
        },
      ],
    },
    text(clip(f.why), { isSubtle: true, spacing: 'Small' }),
  ];
  if (f.verified) items.push(text('Verified by Kerberos: the exchange below shows it happening', { color: 'Good', weight: 'Bolder', size: 'Small', spacing: 'Small' }));
  if (f.subject) items.push(text(`Subject: ${clip(f.subject, 300)}`, { size: 'Small', spacing: 'Small' }));
  if (f.status === 'unknown' && f.missing?.length) {
    items.push(text(clip(`Could not decide: needs ${f.missing.join('; ')}`), { color: 'Warning', spacing: 'Small' }));
  }
  if (f.evidence.length) {
    items.push(text('Evidence', { weight: 'Bolder', size: 'Small', spacing: 'Medium' }));
    items.push(facts(evidenceFacts(f.evidence), { spacing: 'Small' }));
  }
  items.push(text(clip(`Fix: ${f.fix.summary}`), { weight: 'Bolder', spacing: 'Medium' }));
  const cmds = f.fix.commands.slice(0, FINDING_LIMITS.commands).map((c) => clip(c));
  if (cmds.length) items.push(codeBlock(cmds));
  if (f.fix.commands.length > cmds.length) {
    items.push(text(`${f.fix.commands.length - cmds.length} more command(s); the CLI with --json lists them all.`, { isSubtle: true, size: 'Small' }));
  }
  if (f.fix.spnChanges?.length) {
    items.push({
      type: 'ActionSet',
      spacing: 'Small',
      actions: [
        requestChangeAction({
          ruleId: f.ruleId,
          subject: f.subject,
          url: options.url,
          summary: clip(f.fix.summary, 300),
          changes: f.fix.spnChanges.slice(0, 50),
        }),
      ],
    });
  }
  return container(items, { separator: true, spacing: 'Large' });
}
