/**
 * Fits an answer into Slack's limits: the first message shows as many whole items as fit (a
 * finding, a section of SPNs…) and says how many more there are; the rest go into follow-up
 * messages, each within limits. Nothing is cut mid-item and nothing is dropped silently.
 */
import { context, section, type Block, type SlackMessage, type SlackReply } from './blocks.js';
import { SLACK_LIMITS } from './limits.js';

export interface ReplyItem {
  blocks: Block[];
  /** How many things this item stands for (SPNs in a section, 1 for a finding). Default 1. */
  count?: number;
}

export interface ComposeOptions {
  /** Fallback text of the first message (already escaped / plain). */
  text: string;
  head: Block[];
  items: ReplyItem[];
  tail?: Block[];
  /** Noun for the "…and 12 more findings" note, plural. */
  noun: string;
  /** Fallback text of the follow-ups. Default: "<text> (continued)". */
  followUpText?: string;
  /** How many follow-up messages at most (Slack accepts five posts per response_url). Default 3. */
  maxFollowUps?: number;
  /** Said when even the follow-ups cannot hold everything, e.g. "Run `krbops spn dupes --json`…". */
  overflowHint?: string;
}

function blockChars(b: Block): number {
  switch (b.type) {
    case 'header':
      return b.text.text.length;
    case 'section':
      return (b.text?.text.length ?? 0) + (b.fields ?? []).reduce((s, f) => s + f.text.length, 0);
    case 'context':
      return b.elements.reduce((s, e) => s + e.text.length, 0);
    case 'actions':
      return b.elements.reduce((s, e) => s + e.text.text.length, 0);
    case 'divider':
      return 0;
  }
}
const chars = (blocks: Block[]) => blocks.reduce((s, b) => s + blockChars(b), 0);

/** Room kept for the "…and N more" note. */
const NOTE_BLOCKS = 1;
const NOTE_CHARS = 300;

export function composeReply(o: ComposeOptions): SlackReply {
  const tail = o.tail ?? [];
  const total = o.items.reduce((s, it) => s + (it.count ?? 1), 0);
  const maxBlocks = SLACK_LIMITS.blocks;
  const maxChars = SLACK_LIMITS.messageChars - o.text.length;

  const fixed = o.head.length + tail.length;
  const fixedChars = chars(o.head) + chars(tail);
  const allBlocks = fixed + o.items.reduce((s, it) => s + it.blocks.length, 0);
  const allChars = fixedChars + o.items.reduce((s, it) => s + chars(it.blocks), 0);
  if (allBlocks <= maxBlocks && allChars <= maxChars) {
    return { text: o.text, blocks: [...o.head, ...o.items.flatMap((i) => i.blocks), ...tail], followUps: [] };
  }

  // Main message: whole items while they fit next to head, tail and the note.
  const shown: ReplyItem[] = [];
  let b = fixed + NOTE_BLOCKS;
  let c = fixedChars + NOTE_CHARS;
  for (const it of o.items) {
    const ib = it.blocks.length;
    const ic = chars(it.blocks);
    if (b + ib > maxBlocks || c + ic > maxChars) break;
    shown.push(it);
    b += ib;
    c += ic;
  }
  const rest = o.items.slice(shown.length);
  const shownCount = shown.reduce((s, it) => s + (it.count ?? 1), 0);
  const restCount = total - shownCount;

  // Follow-ups: the rest, in order, each message within limits.
  const maxFollowUps = o.maxFollowUps ?? 3;
  const followText = o.followUpText ?? `${o.text} (continued)`;
  const pages: ReplyItem[][] = [];
  let page: ReplyItem[] = [];
  let pb = 1 + NOTE_BLOCKS;
  let pc = followText.length + NOTE_CHARS * 2;
  for (const it of rest) {
    const ib = it.blocks.length;
    const ic = chars(it.blocks);
    if (page.length && (pb + ib > maxBlocks || pc + ic > SLACK_LIMITS.messageChars)) {
      pages.push(page);
      page = [];
      pb = 1 + NOTE_BLOCKS;
      pc = followText.length + NOTE_CHARS * 2;
    }
    page.push(it);
    pb += ib;
    pc += ic;
  }
  if (page.length) pages.push(page);
  const kept = pages.slice(0, maxFollowUps);
  const keptCount = kept.flat().reduce((s, it) => s + (it.count ?? 1), 0);
  const lost = restCount - keptCount;

  const note = kept.length
    ? `…and ${restCount} more ${o.noun}: the full list follows${kept.length > 1 ? ` in ${kept.length} messages` : ''}.`
    : `…and ${restCount} more ${o.noun}.${o.overflowHint ? ' ' + o.overflowHint : ''}`;
  const main: SlackReply = {
    text: o.text,
    blocks: [...o.head, ...shown.flatMap((i) => i.blocks), section(`_${note}_`), ...tail],
    followUps: [],
  };
  let from = shownCount + 1;
  main.followUps = kept.map((p, i): SlackMessage => {
    const n = p.reduce((s, it) => s + (it.count ?? 1), 0);
    const blocks: Block[] = [context(`Continued (${i + 1}/${kept.length}): ${o.noun} ${from}–${from + n - 1} of ${total}`), ...p.flatMap((it) => it.blocks)];
    from += n;
    if (i === kept.length - 1 && lost > 0) {
      blocks.push(section(`_…and ${lost} more ${o.noun} not shown in Slack.${o.overflowHint ? ' ' + o.overflowHint : ''}_`));
    }
    return { text: followText, blocks };
  });
  return main;
}
