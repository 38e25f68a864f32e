/**
 * A Fix as Adaptive Card elements: the summary, the commands run together in one code block, each
 * conditional block (`Fix.alternatives`) in its own code block under its heading ("If crmweb does not
 * run the service:"), "Request this change" for `Fix.spnChanges`, and one button per `Fix.choices`
 * ("Keep on crmweb"), each a change request of its own. Used by findings (why-401, alerts, explain,
 * ADFS) and by the `spn query` / `spn dupes` cards. Commands arrive built (src/fix); this only shows them.
 */
import type { Fix, SpnChange } from '../../src/model/index.js';
import { codeBlock, text, type ActionSet, type CardElement, type ExecuteAction } from './adaptive.js';
import { clip } from './split.js';

/** The verb of the "Request this change" and "Keep on …" buttons; the Teams surface routes it to the approvals flow. */
export const REQUEST_CHANGE_VERB = 'krbops.requestChange';

/** What a request button carries back in its invoke. */
export interface RequestChangeData {
  ruleId: string;
  subject?: string;
  /** The URL of the why-401 question, when there was one. */
  url?: string;
  summary: string;
  changes: SpnChange[];
}

/** Caps that keep one fix well inside a card, whatever produced it. */
export const FIX_LIMITS = { commands: 20, alternatives: 20, changes: 50 };

/** Buttons per ActionSet: Teams shows at most 6 actions in one set (host config maxActions). */
const ACTIONS_PER_SET = 5;

export function requestChangeAction(data: RequestChangeData, title = 'Request this change'): ExecuteAction {
  return { type: 'Action.Execute', title: clip(title, 100), verb: REQUEST_CHANGE_VERB, data: { ...data } };
}

export interface FixItemsOptions {
  ruleId: string;
  subject?: string;
  /** The why-401 URL, carried in the request data. */
  url?: string;
  /** Shown before the summary. Default "Fix". */
  label?: string;
}

export function fixItems(fix: Fix, o: FixItemsOptions): CardElement[] {
  const items: CardElement[] = [text(clip(`${o.label ?? 'Fix'}: ${fix.summary}`), { weight: 'Bolder', spacing: 'Medium' })];
  const cmds = fix.commands.slice(0, FIX_LIMITS.commands).map((c) => clip(c));
  if (cmds.length) items.push(codeBlock(cmds));
  if (fix.commands.length > cmds.length) {
    items.push(text(`${fix.commands.length - cmds.length} more command(s); the CLI with --json lists them all.`, { isSubtle: true, size: 'Small' }));
  }
  const alternatives = (fix.alternatives ?? []).filter((a) => a.commands.length);
  for (const a of alternatives.slice(0, FIX_LIMITS.alternatives)) {
    items.push(text(clip(a.when, 300), { weight: 'Bolder', size: 'Small', spacing: 'Small' }), codeBlock(a.commands.slice(0, FIX_LIMITS.commands).map((c) => clip(c))));
  }
  if (alternatives.length > FIX_LIMITS.alternatives) {
    items.push(text(`${alternatives.length - FIX_LIMITS.alternatives} more account(s); the CLI with --json lists them all.`, { isSubtle: true, size: 'Small' }));
  }
  const summary = clip(fix.summary, 300);
  const buttons: ExecuteAction[] = [];
  if (fix.spnChanges?.length) {
    buttons.push(requestChangeAction({ ruleId: o.ruleId, subject: o.subject, url: o.url, summary, changes: fix.spnChanges.slice(0, FIX_LIMITS.changes) }));
  }
  for (const c of (fix.choices ?? []).slice(0, FIX_LIMITS.alternatives)) {
    if (c.spnChanges.length > FIX_LIMITS.changes) continue;
    buttons.push(requestChangeAction({ ruleId: o.ruleId, subject: o.subject, url: o.url, summary: clip(`${c.label}: ${o.subject ?? ''}`, 300), changes: c.spnChanges }, c.label));
  }
  for (let i = 0; i < buttons.length; i += ACTIONS_PER_SET) {
    const set: ActionSet = { type: 'ActionSet', spacing: 'Small', actions: buttons.slice(i, i + ACTIONS_PER_SET) };
    items.push(set);
  }
  return items;
}
