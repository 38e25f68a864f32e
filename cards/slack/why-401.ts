/**
 * `/krb why-401` answer: the verdict as header, one block group per finding (most likely first),
 * and a context line with what passed, what could not be checked and how long it took.
 */
import type { Why401Result } from '../../src/model/index.js';
import { authenticationLine } from '../text/why-401.js';
import { code, context, esc, fallback, fitText, formatDuration, header, joinFitting, section, type Block } from './blocks.js';
import { composeReply } from './compose.js';
import { findingBlocks } from './finding.js';
import { SLACK_LIMITS } from './limits.js';
import type { SlackReply } from './blocks.js';
import { completeListHint, krbops } from '../../src/fix/index.js';

export function why401Card(r: Why401Result): SlackReply {
  const failing = r.findings.filter((f) => f.status === 'fail');
  const unknown = r.findings.filter((f) => f.status === 'unknown');
  const serious = failing.filter((f) => f.severity !== 'low' && f.severity !== 'info');
  const authenticated = r.authentication?.outcome === 'authenticated';
  const emoji = serious.length ? ':red_circle:' : authenticated ? ':white_check_mark:' : failing.length ? ':red_circle:' : unknown.length ? ':grey_question:' : ':white_check_mark:';
  const verdict = r.verdict?.trim() || (failing.length ? `${failing.length} problem(s) found` : 'No Kerberos problem found');

  const title = header(`${emoji} ${verdict}`);
  const head: Block[] = [title];
  const target = [`*URL:* ${code(fitText(r.url, 500))}`];
  if (r.canonicalHost) target.push(`*Canonical host:* ${code(r.canonicalHost)}`);
  const lines = [target.join(' · ')];
  const kerberos = authenticationLine(r.authentication);
  if (kerberos) lines.unshift(`${authenticated ? ':white_check_mark:' : ':key:'} *${esc(kerberos)}*`);
  // The header holds 150 characters; a longer verdict is repeated whole here.
  if (title.text.text.endsWith('…')) lines.unshift(`*Most likely cause:* ${esc(verdict)}`);
  if (r.expectedSpns.length) lines.push(`*SPNs a browser asks for:* ${joinFitting(r.expectedSpns.map(code), 1200)}`);
  const counts = [
    failing.length ? `${failing.length} problem${failing.length === 1 ? '' : 's'}` : '',
    unknown.length ? `${unknown.length} undecided` : '',
    r.passed.length ? `${r.passed.length} check${r.passed.length === 1 ? '' : 's'} passed` : '',
  ].filter(Boolean);
  if (counts.length) lines.push(counts.join(' · '));
  head.push(section(lines.join('\n')));
  if (r.inferred.length) head.push(context(`*Inferred:* ${joinFitting(r.inferred.map(esc), SLACK_LIMITS.contextText - 20, '; ')}`));

  const items = r.findings.map((f, i) => ({ blocks: findingBlocks(f, { index: i, url: r.url.length <= 300 ? r.url : undefined }) }));

  const tailTexts: string[] = [];
  if (r.passed.length) tailTexts.push(`:white_check_mark: *Passed:* ${joinFitting(r.passed.map((p) => esc(p.title)), 1200)}`);
  if (r.collectorErrors.length) {
    tailTexts.push(`:warning: *Could not check:* ${joinFitting(r.collectorErrors.map((e) => `${esc(e.collector)} (${esc(e.message)})`), 600, '; ')}`);
  }
  const d = formatDuration(r.durationMs);
  if (d) tailTexts.push(`:stopwatch: ${d}`);
  const tail = tailTexts.length ? [context(...tailTexts)] : [];

  return composeReply({
    text: fallback(`${failing.length ? 'Kerberos 401' : 'why-401'}: ${verdict}`),
    followUpText: fallback(`why-401 ${r.url}: more findings`),
    head,
    items,
    tail,
    noun: 'findings',
    overflowHint: completeListHint(() => krbops.why401('<url>', { json: true }), 'answer'),
  });
}
