/**
 * `/krb adfs`: the AD FS token-signing and encryption certificates each metadata source publishes,
 * and the findings about them (expiry, rollover, thumbprints relying parties trust, signature).
 */
import type { AdfsCheckResult } from '../../src/model/index.js';
import { code, context, esc, fallback, header, packLines, section, type Block, type SlackReply } from './blocks.js';
import { composeReply, type ReplyItem } from './compose.js';
import { findingBlocks } from './finding.js';
import { SLACK_LIMITS } from './limits.js';
import { completeListHint, krbops } from '../../src/fix/index.js';

const SIGNATURE: Record<string, string> = {
  verified: ':white_check_mark: signature verified',
  failed: ':red_circle: signature does NOT verify',
  unsigned: ':warning: unsigned',
  'no-pin': 'signed (no certificate pinned yet)',
};

function daysText(days: number): string {
  if (days < 0) return `expired ${-days} day${days === -1 ? '' : 's'} ago`;
  if (days === 0) return 'expires today';
  return `${days} day${days === 1 ? '' : 's'} left`;
}

export function adfsCheckCard(r: AdfsCheckResult): SlackReply {
  const failing = r.findings.filter((f) => f.status === 'fail' && f.severity !== 'info');
  const title = failing.length
    ? `:red_circle: ${failing.length} AD FS certificate problem${failing.length === 1 ? '' : 's'}`
    : ':white_check_mark: AD FS certificates look fine';
  const head: Block[] = [header(title)];

  const sourceLines = r.sources.map((s) => {
    const bits = [code(s.source)];
    if (s.error) bits.push(`:no_entry: ${esc(s.error.message)}`);
    else bits.push(SIGNATURE[s.signature] ?? esc(s.signature));
    if (s.primaryThumbprint) bits.push(`primary ${code(s.primaryThumbprint)}`);
    return `• ${bits.join(' · ')}`;
  });
  head.push(...packLines(['*Metadata*', ...sourceLines], SLACK_LIMITS.sectionText).map((t) => section(t)));

  const certLines = r.certificates.map((c) => {
    const role = c.primary ? `${esc(c.use)} (primary)` : esc(c.use);
    const warn = c.expired ? ':red_circle: ' : c.daysLeft <= 30 ? ':large_orange_circle: ' : '';
    return `• ${warn}*${role}* ${code(c.subject)} · ${code(c.thumbprint)} · until ${esc(c.notAfter.slice(0, 10))} (${daysText(c.daysLeft)})`;
  });
  const items: ReplyItem[] = [];
  if (certLines.length) {
    items.push(...packLines(['*Certificates*', ...certLines], SLACK_LIMITS.sectionText).map((t) => ({ blocks: [section(t)], count: 0 })));
  }
  items.push(...r.findings.map((f, i) => ({ blocks: findingBlocks(f, { index: i, requestButton: false }) })));

  return composeReply({
    text: fallback(title.replace(/^:[a-z_]+: /, 'AD FS: ')),
    head,
    items,
    tail: [context(`Checked ${esc(r.checkedAt.replace('T', ' ').slice(0, 16))} UTC`)],
    noun: 'findings',
    overflowHint: completeListHint(() => krbops.adfsCheck({ json: true }), 'answer'),
  });
}
