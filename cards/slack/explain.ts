/**
 * `/krb explain <error text>`: what each recognised error means, the rules that can cause it and
 * what to check next, plus follow-up commands for the SPNs and URLs the text names.
 */
import type { ExplainResult } from '../../src/model/index.js';
import { code, context, esc, fallback, fitText, header, joinFitting, packLines, section, type Block, type SlackReply } from './blocks.js';
import { composeReply } from './compose.js';
import { SLACK_LIMITS } from './limits.js';

/** `krbops spn query X` in a next check → `/spn query X` as typed in Slack. */
function chatCheck(check: string): string {
  const command = /^(?:krbops\s+)?((?:spn|krb)\s+\S.*)$/.exec(check.trim())?.[1];
  if (command !== undefined && /^(spn (list|query|dupes)|krb (why-401|explain|adfs))\b/.test(command)) return code(`/${command}`);
  return esc(check);
}

export function explainCard(r: ExplainResult): SlackReply {
  const title = header(`${r.matches.length ? ':mag:' : ':grey_question:'} ${r.verdict}`);
  const head: Block[] = [title];
  if (title.text.text.endsWith('…')) head.push(section(esc(r.verdict)));
  const items = r.matches.map((m, i) => {
    const lines = [`*${i + 1}. ${esc(m.code)}* — matched ${code(fitText(m.matched, 200))}`, esc(m.meaning)];
    if (m.rules.length) lines.push('*Possible causes*', ...m.rules.map((x) => `• ${esc(x.title)} (${code(x.ruleId)})`));
    if (m.nextChecks.length) lines.push('*Check next*', ...m.nextChecks.map((c) => `• ${chatCheck(c)}`));
    return { blocks: packLines(lines, SLACK_LIMITS.sectionText).map((t) => section(t)) };
  });
  const follow: string[] = [
    ...r.mentioned.urls.slice(0, 3).map((u) => code(`/krb why-401 ${u}`)),
    ...r.mentioned.spns.slice(0, 3).map((s) => code(`/spn query ${s}`)),
  ];
  const tail = follow.length ? [context(`*Next:* ${joinFitting(follow, SLACK_LIMITS.contextText - 20, ' · ')}`)] : [];
  return composeReply({ text: fallback(r.verdict), head, items, tail, noun: 'errors' });
}
