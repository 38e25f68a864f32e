/**
 * `krb etypes` as Block Kit: the counts per risk class, krbtgt, then one item per account that fails
 * now, is at risk or is Kerberoastable (reasons and the fix commands), and the OK accounts by name.
 */
import type { EtypeAccountReport, EtypeRisk, EtypesResult } from '../../src/model/index.js';
import { countsLine, RISK_LABEL } from '../text/etypes.js';
import { code, codeBlocks, context, divider, esc, fallback, formatDuration, header, joinFitting, packLines, section, type Block, type SlackReply } from './blocks.js';
import { composeReply, type ReplyItem } from './compose.js';
import { SLACK_LIMITS } from './limits.js';
import { completeListHint, krbops } from '../../src/fix/index.js';

const ICON: Record<EtypeRisk, string> = { 'fails-now': ':red_circle:', 'at-risk': ':large_orange_circle:', kerberoastable: ':large_yellow_circle:', ok: ':white_check_mark:' };

function accountBlocks(a: EtypeAccountReport): Block[] {
  const set = a.supportedEncryptionTypes.value === null ? 'not set' : `${a.supportedEncryptionTypes.value} (${a.supportedEncryptionTypes.hex})`;
  const keys = a.aesKeysLikely === null ? 'unknown' : a.aesKeysLikely ? 'likely' : 'likely missing';
  const lines = [
    `${ICON[a.risk]} *${esc(a.sAMAccountName)}* (${a.kind}) — ${RISK_LABEL[a.risk]}`,
    `msDS-SupportedEncryptionTypes ${code(set)} → KDC uses ${a.effectiveEncryptionTypes.length ? a.effectiveEncryptionTypes.map(code).join(', ') : '*nothing*'} · AES keys: ${keys} · password set ${a.pwdLastSet?.slice(0, 10) ?? 'never'}`,
    ...a.reasons.map((r) => `• ${esc(r)}`),
  ];
  const blocks: Block[] = [divider(), ...packLines(lines, SLACK_LIMITS.sectionText).map((t) => section(t))];
  if (a.risk !== 'ok') {
    const cmds = codeBlocks(a.fix.commands, SLACK_LIMITS.sectionText - 400);
    blocks.push(section(`*Fix:* ${esc(a.fix.summary)}${cmds[0] ? `\n${cmds[0]}` : ''}`), ...cmds.slice(1).map((t) => section(t)));
  }
  return blocks;
}

export function etypesCard(r: EtypesResult): SlackReply {
  const krbtgtBad = !!r.krbtgt && r.krbtgt.risk !== 'ok';
  const bad = r.counts['fails-now'] + r.counts['at-risk'] + (krbtgtBad ? 1 : 0);
  const title = bad ? `${r.counts['fails-now']} account(s) fail now, ${r.counts['at-risk']} at risk${krbtgtBad ? '; krbtgt at risk' : ''}` : r.counts.kerberoastable ? `${r.counts.kerberoastable} Kerberoastable account(s)` : 'Every SPN account is ready for the AES-only KDC';
  const head: Block[] = [
    header(`${bad ? ':red_circle:' : r.counts.kerberoastable ? ':large_yellow_circle:' : ':white_check_mark:'} ${title}`),
    section(`Under the 2026 AES-only KDC default: ${esc(countsLine(r.counts))} (${r.accounts.length} accounts with SPNs in ${code(r.domain)}).`),
  ];
  const items: ReplyItem[] = [];
  if (r.krbtgt && r.krbtgt.risk !== 'ok') items.push({ blocks: accountBlocks(r.krbtgt) });
  for (const a of r.accounts) if (a.risk !== 'ok') items.push({ blocks: accountBlocks(a) });
  const ok = r.accounts.filter((a) => a.risk === 'ok');
  if (ok.length) items.push({ blocks: [divider(), section(`${ICON.ok} *OK (${ok.length}):* ${joinFitting(ok.map((a) => esc(a.sAMAccountName)), 2500)}`)], count: ok.length });
  return composeReply({
    text: fallback(`krb etypes: ${title}`),
    head,
    items,
    tail: [
      context(
        `krbtgt: ${r.krbtgt ? RISK_LABEL[r.krbtgt.risk] : 'not readable'}`,
        `AES keys since ${r.aesSince?.slice(0, 10) ?? 'unknown'}: ${esc(r.aesSinceBasis)} (a heuristic; confirm with event 4769 "Available Keys" or KDCSVC 201–209)`,
        `Answered by ${code(r.server)} in ${formatDuration(r.durationMs)}`,
      ),
    ],
    noun: 'accounts',
    overflowHint: completeListHint(() => krbops.etypes({ json: true }), 'list'),
  });
}
