/**
 * Alerts of the scheduled watchers (ADFS certificates, new duplicate SPNs) as channel messages:
 * a header with the severity, a few lines of context, and the findings with their fixes.
 */
import type { AlertView } from '../../src/notify.js';
import { mostSevere } from '../../src/model/index.js';
import { code, context, esc, fallback, header, packLines, section, type Block, type SlackReply } from './blocks.js';
import { composeReply } from './compose.js';
import { findingBlocks, SEVERITY_EMOJI } from './finding.js';
import { SLACK_LIMITS } from './limits.js';

/** An alert as the Slack card shows it (src/notify.ts AlertView, shared with Teams). */
export type SlackAlert = AlertView;

export function alertCard(a: SlackAlert): SlackReply {
  const findings = a.findings ?? [];
  const severity = a.severity ?? mostSevere(findings.map((f) => f.severity));
  const head: Block[] = [header(`${SEVERITY_EMOJI[severity]} ${a.title}`)];
  const lines = [...(a.text ? [esc(a.text)] : []), ...(a.lines ?? []).map(esc)];
  if (lines.length) head.push(...packLines(lines, SLACK_LIMITS.sectionText).map((t) => section(t)));
  const ctx = [
    a.source ? `krbops ${esc(a.source)}` : 'krbops',
    a.at ? esc(a.at.replace('T', ' ').slice(0, 16)) + ' UTC' : '',
    a.key ? `alert ${code(a.key)}` : '',
  ].filter(Boolean).join(' · ');
  return composeReply({
    text: fallback(`${severity.toUpperCase()}: ${a.title}`),
    followUpText: fallback(`${a.title} (continued)`),
    head,
    items: findings.map((f, i) => ({ blocks: findingBlocks(f, { index: i }) })),
    tail: [context(ctx)],
    noun: 'findings',
    maxFollowUps: 10,
  });
}
