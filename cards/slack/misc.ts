/**
 * Small replies: "Working on it…", the plain-text fallback for results without a dedicated card,
 * and the answers to the "Request this change" button.
 */
import type { SpnChange } from '../../src/model/index.js';
import { code, codeBlocks, context, esc, fallback, header, section, type SlackReply } from './blocks.js';
import { setspn } from '../../src/fix/index.js';
import type { ChangeRequestView } from '../../src/approvals/types.js';

export type { ChangeRequestView };
import { composeReply } from './compose.js';
import { SLACK_LIMITS } from './limits.js';

export function workingCard(commandLine: string): SlackReply {
  return {
    text: fallback(`Working on it… ${commandLine}`),
    blocks: [section(`:hourglass_flowing_sand: Working on it… ${code(commandLine.slice(0, 300))}`)],
    followUps: [],
  };
}

/**
 * Any command result without a Slack card of its own is shown as the command's terminal text in
 * code blocks, so a new command works in Slack from the day it is registered.
 */
export function textCard(title: string, text: string): SlackReply {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const chunks = codeBlocks(lines, SLACK_LIMITS.sectionText);
  return composeReply({
    text: fallback(title),
    head: [header(title)],
    items: chunks.map((t) => ({ blocks: [section(t)], count: t.split('\n').length })),
    noun: 'lines',
  });
}


export function changeRequestedCard(r: ChangeRequestView): SlackReply {
  const lines = [`:memo: *Change request ${code(r.id)} recorded* (${esc(r.status)}).`];
  lines.push(r.next ? esc(r.next) : 'An approver decides; the commands below run only after approval.');
  return {
    text: fallback(`Change request ${r.id} recorded`),
    blocks: [section(lines.join('\n')), ...codeBlocks(r.changes.map((c) => setspn.change(c)), SLACK_LIMITS.sectionText).slice(0, 10).map((t) => section(t))],
    followUps: [],
  };
}

/** The honest answer when no approvals flow is wired: nothing was recorded. */
export function changeRequestUnavailableCard(changes: SpnChange[]): SlackReply {
  return {
    text: fallback('Change requests are not enabled on this krbops: nothing was recorded'),
    blocks: [
      section(':information_source: *Change requests are not enabled on this krbops, so nothing was recorded.* A domain admin can make the change with:'),
      ...codeBlocks(changes.map((c) => setspn.change(c)), SLACK_LIMITS.sectionText).slice(0, 10).map((t) => section(t)),
      context('krbops itself never writes to Active Directory.'),
    ],
    followUps: [],
  };
}

export function changeRequestInvalidCard(): SlackReply {
  return {
    text: fallback('This button does not carry a change krbops can read; nothing was recorded'),
    blocks: [section(':warning: This button does not carry a change krbops can read; nothing was recorded. Run the command again for a fresh answer.')],
    followUps: [],
  };
}
