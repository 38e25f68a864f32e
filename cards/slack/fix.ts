/**
 * A Fix as Block Kit: the summary, the commands run together in one code block, each conditional
 * block (`Fix.alternatives`) in its own code block under its heading ("If crmweb does not run the
 * service:"), a "Request this change" button for `Fix.spnChanges`, and one button per
 * `Fix.choices` ("Keep on crmweb"), each a change request of its own. Used by findings (why-401,
 * alerts) and by the `spn query` / `spn dupes` cards. Commands arrive built (src/fix); this only shows them.
 */
import type { Fix, SpnChange } from '../../src/model/index.js';
import { actions, button, codeBlocks, esc, fitText, section, type Block, type ButtonElement } from './blocks.js';
import { changeRefValues, encodeChangeRef, REQUEST_CHANGE_ACTION, type ChangeRef } from './change-ref.js';
import { SLACK_LIMITS } from './limits.js';

export interface FixBlocksOptions {
  /** Keeps action ids unique in the message (the finding's or the duplicate's position). */
  index: number | string;
  /** What the change request names as its origin. */
  ruleId: string;
  subject?: string;
  /** The finding's title, shown in the change request. */
  title?: string;
  /** The why-401 URL, carried by the buttons to the change request. */
  url?: string;
  /** Show the request buttons. Default true. */
  requestButton?: boolean;
  /** Shown before the summary. Default "Fix". */
  label?: string;
}

/** A change in words for a button label ("remove HTTP/crm from CONTOSO\\crmweb2"): not a command. */
const changeWords = (c: SpnChange) => `${c.action} ${c.spn} ${c.action === 'add' ? 'to' : 'from'} ${c.account}`;

/** One button value for all of `ref.changes`, or undefined when it cannot fit in one (a choice is never split). */
function oneValue(ref: ChangeRef): string | undefined {
  return [encodeChangeRef(ref, true), encodeChangeRef(ref, false)].find((v) => v.length <= SLACK_LIMITS.buttonValue);
}

export function fixBlocks(fix: Fix, o: FixBlocksOptions): Block[] {
  const out: Block[] = [];
  const commands = fix.commands ?? [];
  if (fix.summary || commands.length) {
    const summary = `*${o.label ?? 'Fix'}:* ${esc(fix.summary ?? '')}`;
    const fenced = commands.length ? codeBlocks(commands, SLACK_LIMITS.sectionText) : [];
    const [firstBlock, ...moreBlocks] = fenced;
    if (firstBlock !== undefined && summary.length + 1 + firstBlock.length <= SLACK_LIMITS.sectionText) {
      out.push(section(`${summary}\n${firstBlock}`), ...moreBlocks.map((t) => section(t)));
    } else {
      out.push(section(fitText(summary, SLACK_LIMITS.sectionText)), ...fenced.map((t) => section(t)));
    }
  }
  for (const a of fix.alternatives ?? []) {
    if (!a.commands.length) continue;
    const head = `*${esc(fitText(a.when, 500))}*`;
    const fenced = codeBlocks(a.commands, SLACK_LIMITS.sectionText - head.length - 1);
    out.push(section(`${head}\n${fenced[0]}`), ...fenced.slice(1).map((t) => section(t)));
  }
  if (o.requestButton === false) return out;

  const buttons: ButtonElement[] = [];
  let left = 0;
  const changes = fix.spnChanges ?? [];
  if (changes.length) {
    const { values, tooLong } = changeRefValues({ ruleId: o.ruleId, subject: o.subject, title: o.title && fitText(o.title, 150), url: o.url, changes });
    values.slice(0, SLACK_LIMITS.actionsElements).forEach((v, i) => {
      const [first] = v.changes;
      const label = values.length === 1 || !first ? (changes.length === 1 ? 'Request this change' : `Request these ${changes.length} changes`) : `Request: ${changeWords(first)}`;
      buttons.push(button(label, `${REQUEST_CHANGE_ACTION}:${o.index}:${i}`, v.value, 'primary'));
    });
    left += Math.max(0, values.length - SLACK_LIMITS.actionsElements) + tooLong.length;
  }
  (fix.choices ?? []).forEach((c, i) => {
    const value = oneValue({ ruleId: o.ruleId, subject: o.subject, title: fitText(`${c.label}${o.title ? `: ${o.title}` : o.subject ? `: ${o.subject}` : ''}`, 150), url: o.url, changes: c.spnChanges });
    if (value && buttons.length < SLACK_LIMITS.actionsElements) buttons.push(button(c.label, `${REQUEST_CHANGE_ACTION}:keep:${o.index}:${i}`, value));
    else left++;
  });
  if (buttons.length) out.push(actions(...buttons));
  if (left > 0) out.push(section(`_${left} more change${left === 1 ? '' : 's'} cannot be requested from Slack (too long for a button); use the commands above._`));
  return out;
}
