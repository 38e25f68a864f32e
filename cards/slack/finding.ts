/**
 * One finding as Block Kit: severity and title, why it breaks Kerberos, the evidence as a compact
 * list, and the fix (cards/slack/fix.ts: commands, conditional blocks, request buttons). Shared by
 * the why-401 card and alert cards.
 */
import type { Finding, Severity } from '../../src/model/index.js';
import { code, divider, esc, fitText, sections, type Block } from './blocks.js';
import { fixBlocks } from './fix.js';

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

  out.push(...fixBlocks(f.fix, { index: o.index, ruleId: f.ruleId, subject: f.subject, title: f.title, url: o.url, requestButton: o.requestButton }));
  return out;
}
