/**
 * Slack's Block Kit limits, and a validator that checks a message against them. Every card is run
 * through `checkMessage` in the tests; the surface also logs any violation before sending.
 * https://docs.slack.dev/reference/block-kit/blocks — the numbers below are Slack's, except where
 * marked as krbops' own (stricter) budget.
 */

export const SLACK_LIMITS = {
  /** Blocks in one message. */
  blocks: 50,
  /** `text` of a section block. */
  sectionText: 3000,
  /** Fields in one section, and characters in each field. */
  sectionFields: 10,
  fieldText: 2000,
  /** Header blocks take plain text only. */
  headerText: 150,
  /** Elements in a context block. */
  contextElements: 10,
  /** krbops' own budget for one context element (Slack allows a 3000-character text object). */
  contextText: 2000,
  /** Elements in an actions block. */
  actionsElements: 25,
  buttonText: 75,
  actionId: 255,
  buttonValue: 2000,
  blockId: 255,
  /** krbops' own budget for the fallback `text` (Slack truncates beyond 40 000). */
  fallbackText: 3000,
  /** krbops' own budget for all text in one message, so a message never hits `msg_too_long`. */
  messageChars: 12_000,
} as const;

export interface LimitViolation {
  /** JSON-ish path: `blocks[3].text.text`. */
  path: string;
  problem: string;
}

/** A text object as the validator reads it: any JSON a renderer (or a test) produced. */
interface WireText {
  type?: string;
  text?: string;
}
/** A context element (`text` is a string) or a button (`text` is a text object). */
interface WireElement {
  type?: string;
  text?: string | WireText;
  action_id?: string;
  value?: string;
}
interface WireBlock {
  type?: unknown;
  block_id?: string;
  text?: WireText;
  fields?: WireText[];
  elements?: WireElement[];
}
/** The string of a context element, the text object of a button. */
const plainText = (e: WireElement): string | undefined => (typeof e.text === 'string' ? e.text : undefined);
const labelOf = (e: WireElement): WireText | undefined => (typeof e.text === 'object' ? e.text : undefined);

function textOf(block: WireBlock): string[] {
  const out: string[] = [];
  if (block.text?.text) out.push(block.text.text);
  for (const f of block.fields ?? []) out.push(f.text ?? '');
  for (const e of block.elements ?? []) {
    if (e.type === 'mrkdwn' || e.type === 'plain_text') out.push(plainText(e) ?? '');
    else {
      const label = labelOf(e)?.text;
      if (label) out.push(label);
    }
  }
  return out;
}

/** Mentions that would notify people; directory data must never produce them. */
const BROADCAST = /<!(channel|here|everyone|subteam\^)|<@[UW][A-Z0-9]+>/;

/**
 * Checks one message against Slack's limits and krbops' rules (escaped mentions, balanced code
 * fences, unique action ids). Returns the violations; an empty array means the message is valid.
 */
export function checkMessage(message: { text?: string; blocks?: unknown[] }): LimitViolation[] {
  const v: LimitViolation[] = [];
  const add = (path: string, problem: string) => v.push({ path, problem });
  const L = SLACK_LIMITS;
  const blocks = (message.blocks ?? []) as WireBlock[];

  if (!message.text || !message.text.trim()) add('text', 'fallback text is empty');
  else if (message.text.length > L.fallbackText) add('text', `fallback text is ${message.text.length} characters (> ${L.fallbackText})`);
  if (blocks.length > L.blocks) add('blocks', `${blocks.length} blocks (> ${L.blocks})`);

  const actionIds = new Set<string>();
  const blockIds = new Set<string>();
  let total = message.text?.length ?? 0;
  blocks.forEach((b, i) => {
    const p = `blocks[${i}]`;
    if (b.block_id !== undefined) {
      if (typeof b.block_id !== 'string' || b.block_id.length > L.blockId) add(`${p}.block_id`, 'block_id too long');
      if (blockIds.has(b.block_id)) add(`${p}.block_id`, `duplicate block_id ${b.block_id}`);
      blockIds.add(b.block_id);
    }
    switch (b.type) {
      case 'header':
        if (b.text?.type !== 'plain_text') add(`${p}.text`, 'header text must be plain_text');
        if (!b.text?.text?.trim()) add(`${p}.text.text`, 'header text is empty');
        else if (b.text.text.length > L.headerText) add(`${p}.text.text`, `header is ${b.text.text.length} characters (> ${L.headerText})`);
        break;
      case 'section':
        if (!b.text && !b.fields?.length) add(p, 'section has neither text nor fields');
        if (b.text) {
          if (!b.text.text?.length) add(`${p}.text.text`, 'section text is empty');
          else if (b.text.text.length > L.sectionText) add(`${p}.text.text`, `section text is ${b.text.text.length} characters (> ${L.sectionText})`);
        }
        if (b.fields) {
          if (b.fields.length > L.sectionFields) add(`${p}.fields`, `${b.fields.length} fields (> ${L.sectionFields})`);
          b.fields.forEach((f, j) => {
            if (!f.text?.length) add(`${p}.fields[${j}]`, 'field is empty');
            else if (f.text.length > L.fieldText) add(`${p}.fields[${j}]`, `field is ${f.text.length} characters (> ${L.fieldText})`);
          });
        }
        break;
      case 'context':
        if (!b.elements?.length) add(`${p}.elements`, 'context has no elements');
        else if (b.elements.length > L.contextElements) add(`${p}.elements`, `${b.elements.length} context elements (> ${L.contextElements})`);
        (b.elements ?? []).forEach((e, j) => {
          const text = plainText(e);
          if (!text?.length) add(`${p}.elements[${j}]`, 'context text is empty');
          else if (text.length > L.contextText) add(`${p}.elements[${j}]`, `context text is ${text.length} characters (> ${L.contextText})`);
        });
        break;
      case 'actions':
        if (!b.elements?.length) add(`${p}.elements`, 'actions block has no elements');
        else if (b.elements.length > L.actionsElements) add(`${p}.elements`, `${b.elements.length} elements (> ${L.actionsElements})`);
        (b.elements ?? []).forEach((e, j) => {
          const q = `${p}.elements[${j}]`;
          if (e.type !== 'button') return;
          const label = labelOf(e)?.text;
          if (!label?.trim()) add(`${q}.text`, 'button label is empty');
          else if (label.length > L.buttonText) add(`${q}.text`, `button label is ${label.length} characters (> ${L.buttonText})`);
          if (!e.action_id) add(`${q}.action_id`, 'button has no action_id');
          else if (e.action_id.length > L.actionId) add(`${q}.action_id`, `action_id is ${e.action_id.length} characters (> ${L.actionId})`);
          else if (actionIds.has(e.action_id)) add(`${q}.action_id`, `duplicate action_id ${e.action_id}`);
          if (e.action_id) actionIds.add(e.action_id);
          if (e.value !== undefined && e.value.length > L.buttonValue) add(`${q}.value`, `value is ${e.value.length} characters (> ${L.buttonValue})`);
        });
        break;
      case 'divider':
        break;
      default:
        add(p, `unexpected block type ${String(b.type)}`);
    }
    for (const t of textOf(b)) {
      total += t.length;
      if (BROADCAST.test(t)) add(p, 'text contains an unescaped mention');
      if ((t.match(/```/g)?.length ?? 0) % 2 !== 0) add(p, 'unbalanced ``` code fence');
    }
  });
  if (total > L.messageChars) add('blocks', `${total} characters of text in one message (> ${L.messageChars})`);
  return v;
}

/** Checks the message and each follow-up of a card's reply. */
export function checkReply(reply: { text?: string; blocks?: unknown[]; followUps?: { text?: string; blocks?: unknown[] }[] }): LimitViolation[] {
  return [
    ...checkMessage(reply),
    ...(reply.followUps ?? []).flatMap((m, i) => checkMessage(m).map((x) => ({ ...x, path: `followUps[${i}].${x.path}` }))),
  ];
}
