/**
 * Block Kit as plain data: the few block types krbops sends, small builders, and the text helpers
 * every Slack card uses (escaping, fitting at a word boundary, packing lines into sections).
 * No I/O and no Slack SDK import: these types are structurally what `chat.postMessage` and
 * `respond()` accept. https://docs.slack.dev/reference/block-kit/blocks
 */
import { SLACK_LIMITS } from './limits.js';

export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}
export interface Mrkdwn {
  type: 'mrkdwn';
  text: string;
}

export interface HeaderBlock {
  type: 'header';
  text: PlainText;
  block_id?: string;
}
export interface SectionBlock {
  type: 'section';
  text?: Mrkdwn;
  fields?: Mrkdwn[];
  block_id?: string;
}
export interface ContextBlock {
  type: 'context';
  elements: Mrkdwn[];
  block_id?: string;
}
export interface DividerBlock {
  type: 'divider';
  block_id?: string;
}
export interface ButtonElement {
  type: 'button';
  text: PlainText;
  action_id: string;
  value?: string;
  style?: 'primary' | 'danger';
}
export interface ActionsBlock {
  type: 'actions';
  elements: ButtonElement[];
  block_id?: string;
}
export type Block = HeaderBlock | SectionBlock | ContextBlock | DividerBlock | ActionsBlock;

/** One Slack message: `text` is the notification/fallback line, `blocks` what is shown. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/**
 * What a card returns: the message to show, and — when the answer is too long for one message —
 * the complete list split over further messages (posted as follow-ups or as a thread reply).
 */
export interface SlackReply extends SlackMessage {
  followUps: SlackMessage[];
}

// ─── text helpers ────────────────────────────────────────────────────────────────────────────────

/**
 * Escapes the three characters Slack treats as control sequences in mrkdwn, so directory data such
 * as `<!channel>` can never ping anyone or become a link. https://docs.slack.dev/messaging/formatting-message-text#escaping
 */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Inline code: no formatting applies inside; a backtick in the data is shown as a look-alike. */
export function code(text: string): string {
  return '`' + esc(text.replace(/`/g, 'ˋ').replace(/\r?\n/g, ' ')) + '`';
}

/** A fenced code block; a ``` inside the data would close it early, so it is broken up. */
export function codeBlock(lines: string[] | string): string {
  const body = (Array.isArray(lines) ? lines.join('\n') : lines).replace(/```/g, '`\u200b``');
  return '```' + esc(body) + '```';
}

/** Length as Slack counts it (UTF-16 code units are what the API measures, like JS). */
const len = (s: string) => s.length;

/** Cuts before `max` without splitting a surrogate pair. */
function cutAt(text: string, max: number): string {
  let s = text.slice(0, Math.max(0, max));
  if (/[\uD800-\uDBFF]$/.test(s)) s = s.slice(0, -1);
  return s;
}

/**
 * Fits text into `max` characters: unchanged when it fits, otherwise cut at the last word
 * boundary and ended with "…". Only a single word longer than the whole budget is cut inside.
 * Never cuts inside an `&amp;`-style entity.
 */
export function fitText(text: string, max: number): string {
  if (len(text) <= max) return text;
  const room = max - 1;
  let s = cutAt(text, room);
  const atBoundary = /\s/.test(text.charAt(s.length));
  const boundary = Math.max(s.lastIndexOf(' '), s.lastIndexOf('\n'));
  if (!atBoundary && boundary > room / 3) s = s.slice(0, boundary);
  // Do not leave half an entity (&am…) behind.
  s = s.replace(/&[a-z]{0,4}$/, '');
  return s.replace(/\s+$/, '') + '…';
}

/**
 * Packs lines into chunks of at most `max` characters (joined by "\n"), never splitting a line
 * unless that one line alone is longer than `max` (then it is fitted with "…").
 */
export function packLines(lines: string[], max: number): string[] {
  const chunks: string[] = [];
  let cur = '';
  for (const raw of lines) {
    const line = fitText(raw, max);
    if (!cur) cur = line;
    else if (len(cur) + 1 + len(line) <= max) cur += '\n' + line;
    else {
      chunks.push(cur);
      cur = line;
    }
  }
  if (cur) chunks.push(cur);
  return chunks;
}

/**
 * Lines of a fenced code block split into several blocks of at most `max` characters each
 * (the fences count), never splitting a command.
 */
export function codeBlocks(lines: string[], max: number): string[] {
  const inner = max - 6;
  return packLines(lines.map((l) => esc(l.replace(/```/g, '`\u200b``'))), inner).map((c) => '```' + c + '```');
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** Joins names into one line that fits `max`, ending with "+N more" rather than cutting a name. */
export function joinFitting(names: string[], max: number, sep = ', '): string {
  let out = '';
  for (const [i, name] of names.entries()) {
    const more = names.length - i - 1;
    const next = (out ? out + sep : '') + name;
    const suffix = more ? ` +${more} more` : '';
    if (next.length + suffix.length > max) {
      if (!out) {
        out = fitText(name, max - 16);
        continue;
      }
      return `${out} +${names.length - i} more`;
    }
    out = next;
  }
  return out;
}

// ─── builders ────────────────────────────────────────────────────────────────────────────────────

/**
 * Plain text (headers, button labels) is not parsed for mrkdwn, and whether entities are decoded
 * there is not documented; angle brackets become look-alikes so nothing can read as a mention.
 */
export function plain(text: string): string {
  return text.replace(/</g, '‹').replace(/>/g, '›');
}

export function header(text: string): HeaderBlock {
  const clean = plain(text).replace(/\s+/g, ' ').trim() || 'krbops';
  return { type: 'header', text: { type: 'plain_text', text: fitText(clean, SLACK_LIMITS.headerText), emoji: true } };
}

export function section(markdown: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: fitText(markdown, SLACK_LIMITS.sectionText) } };
}

/** Sections for a list of lines, as many as needed, each within the section limit. */
export function sections(lines: string[], max: number = SLACK_LIMITS.sectionText): SectionBlock[] {
  return packLines(lines, max).map((t) => ({ type: 'section', text: { type: 'mrkdwn', text: t } }));
}

export function fieldsSection(pairs: [string, string][]): SectionBlock[] {
  const out: SectionBlock[] = [];
  for (let i = 0; i < pairs.length; i += SLACK_LIMITS.sectionFields) {
    out.push({
      type: 'section',
      fields: pairs.slice(i, i + SLACK_LIMITS.sectionFields).map(([k, v]) => ({ type: 'mrkdwn', text: fitText(`*${k}*\n${v}`, SLACK_LIMITS.fieldText) })),
    });
  }
  return out;
}

export function context(...texts: string[]): ContextBlock {
  const elements = texts
    .filter((t) => t && t.trim())
    .slice(0, SLACK_LIMITS.contextElements)
    .map((t) => ({ type: 'mrkdwn' as const, text: fitText(t, SLACK_LIMITS.contextText) }));
  return { type: 'context', elements: elements.length ? elements : [{ type: 'mrkdwn', text: ' ' }] };
}

export const divider = (): DividerBlock => ({ type: 'divider' });

export function button(label: string, actionId: string, value?: string, style?: 'primary' | 'danger'): ButtonElement {
  const b: ButtonElement = { type: 'button', text: { type: 'plain_text', text: fitText(plain(label), SLACK_LIMITS.buttonText), emoji: true }, action_id: actionId };
  if (value !== undefined) b.value = value;
  if (style) b.style = style;
  return b;
}

export function actions(...elements: ButtonElement[]): ActionsBlock {
  return { type: 'actions', elements: elements.slice(0, SLACK_LIMITS.actionsElements) };
}

/** The fallback `text` of a message (notifications, screen readers): raw text in, escaped one line out. */
export function fallback(text: string): string {
  return fitText(esc(text.replace(/\s+/g, ' ').trim()), SLACK_LIMITS.fallbackText);
}
