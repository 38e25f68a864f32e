/**
 * One finding as an Adaptive Card container: severity label in its colour, title, why, the evidence
 * as a FactSet, and the fix (cards/teams/fix.ts: commands in copy-friendly monospace blocks, one
 * block per condition, the request buttons). Shared by every card that shows findings (why-401, explain, ADFS).
 */
import type { Finding, Severity } from '../../src/model/index.js';
import { container, facts, text, type Colour, type Container, type Fact } from './adaptive.js';
import { FIX_LIMITS, fixItems } from './fix.js';
import { clip } from './split.js';

export { REQUEST_CHANGE_VERB, requestChangeAction, type RequestChangeData } from './fix.js';

/** Severity → the colour Teams gives it (TextBlock color / Container style). */
export const SEVERITY_COLOUR: Record<Severity, Colour> = {
  critical: 'Attention',
  high: 'Attention',
  medium: 'Warning',
  low: 'Accent',
  info: 'Accent',
};

/** Caps that keep one finding well inside a card, whatever the rule produced. */
export const FINDING_LIMITS = { evidence: 25, commands: FIX_LIMITS.commands };

/** "HTTP/crm: held by CRMWEB$" → { title: 'HTTP/crm', value: 'held by CRMWEB$' }; lines without a short label get a number. */
export function evidenceFacts(lines: string[], max = FINDING_LIMITS.evidence): Fact[] {
  const shown = lines.slice(0, max).map((line, i): Fact => {
    const [, label, value] = /^([^:]{1,48}):\s+(.+)$/s.exec(line) ?? [];
    // "label: value" needs a space after the colon, so "HTTP/crm:8080" and "http://crm" stay whole.
    if (label !== undefined && value !== undefined) return { title: clip(label, 60), value: clip(value) };
    return { title: `${i + 1}.`, value: clip(line) };
  });
  if (lines.length > max) shown.push({ title: '…', value: `${lines.length - max} more line(s); the CLI with --json shows them all.` });
  return shown;
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
  items.push(...fixItems(f.fix, { ruleId: f.ruleId, subject: f.subject, url: options.url }));
  return container(items, { separator: true, spacing: 'Large' });
}
