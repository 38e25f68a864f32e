/**
 * Answers of `/spn list`, `/spn query` and `/spn dupes` as Block Kit. Long lists keep whole SPNs
 * and accounts: the first message shows what fits, the rest follows (see compose.ts).
 */
import type { AccountFacts, AccountRef, SpnDupesResult, SpnListResult, SpnQueryResult } from '../../src/model/index.js';
import { domainAccount } from '../../src/spn/account.js';
import {
  code, context, divider, esc, fallback, fieldsSection, formatDuration, header, joinFitting, packLines, section,
  type Block, type SlackReply,
} from './blocks.js';
import { composeReply, type ReplyItem } from './compose.js';
import { SLACK_LIMITS } from './limits.js';
import { fixBlocks } from './fix.js';
import { completeListHint, krbops } from '../../src/fix/index.js';

const day = (iso?: string) => (iso ? iso.slice(0, 10) : undefined);

/** Lines packed into sections, one reply item per section, counting the lines it holds. */
function lineItems(lines: string[]): ReplyItem[] {
  const chunks = packLines(lines, SLACK_LIMITS.sectionText);
  return chunks.map((t) => ({ blocks: [section(t)], count: t.split('\n').length }));
}

function delegation(a: AccountFacts): string {
  const parts: string[] = [];
  if (a.userAccountControl.trustedForDelegation) parts.push('unconstrained');
  if (a.allowedToDelegateTo.length) {
    parts.push(`constrained to ${a.allowedToDelegateTo.length} SPN${a.allowedToDelegateTo.length === 1 ? '' : 's'}${a.userAccountControl.trustedToAuthForDelegation ? ' (any protocol)' : ' (Kerberos only)'}`);
  }
  if (a.hasResourceBasedDelegation) parts.push('resource-based set');
  if (a.userAccountControl.notDelegated) parts.push('account is sensitive, cannot be delegated');
  return parts.length ? parts.join('; ') : 'none';
}

function accountName(a: AccountFacts): string {
  return domainAccount(a.sAMAccountName, a.domain);
}

export function spnListCard(r: SpnListResult): SlackReply {
  const a = r.account;
  const status = [a.userAccountControl.disabled ? ':no_entry: disabled' : 'enabled', a.userAccountControl.lockout ? 'locked out' : '']
    .filter(Boolean)
    .join(', ');
  const facts: [string, string][] = [
    ['Account', `${code(accountName(a))} (${esc(a.kind)})`],
    ['Status', status],
    ['DN', code(a.dn)],
  ];
  if (a.userPrincipalName) facts.push(['UPN', code(a.userPrincipalName)]);
  if (a.dNSHostName) facts.push(['DNS host name', code(a.dNSHostName)]);
  facts.push(['Delegation', esc(delegation(a))]);
  facts.push(['Encryption types', a.encryptionTypeNames.length ? esc(a.encryptionTypeNames.join(', ')) : '_not set (domain default)_']);
  if (a.protectedUser) facts.push(['Protected Users', 'member']);
  if (a.pwdLastSet) facts.push(['Password last set', esc(day(a.pwdLastSet)!)]);
  if (a.whenChanged) facts.push(['Changed', esc(day(a.whenChanged)!)]);

  const head: Block[] = [header(`SPNs of ${accountName(a)}`), ...fieldsSection(facts.slice(0, SLACK_LIMITS.sectionFields))];
  const items = r.spns.length
    ? lineItems(r.spns.map((s) => `• ${code(s)}`))
    : [{ blocks: [section('_No SPNs are registered on this account._')], count: 0 }];
  const n = r.spns.length;
  return composeReply({
    text: fallback(`${accountName(a)}: ${n} SPN${n === 1 ? '' : 's'}`),
    head: n ? [...head, section(`*${n} SPN${n === 1 ? '' : 's'} registered*`)] : head,
    items,
    tail: [context(`Answered by ${code(r.server)}`)],
    noun: 'SPNs',
    overflowHint: completeListHint(() => krbops.spnList(a.sAMAccountName, { json: true }), 'list'),
  });
}

function refLine(a: AccountRef, extra = ''): string {
  const bits = [`*${esc(a.sAMAccountName)}*`, code(a.dn)];
  if (a.disabled) bits.push(':no_entry: disabled');
  if (a.whenChanged) bits.push(`changed ${esc(day(a.whenChanged)!)}`);
  return `• ${bits.join(' · ')}${extra}`;
}

export function spnQueryCard(r: SpnQueryResult): SlackReply {
  const exact = r.accounts.filter((a) => a.via === 'exact');
  const alias = r.accounts.filter((a) => a.via === 'alias');
  const head: Block[] = [header(`Who holds ${r.spn}`)];
  if (!r.accounts.length) {
    head.push(section(`:mag: No account holds ${code(r.spn)}, and no HOST/ SPN answers for it. A browser asking for it gets KDC_ERR_S_PRINCIPAL_UNKNOWN and falls back to NTLM or fails with 401.`));
  } else if (r.duplicate) {
    head.push(
      section(
        `:red_circle: *Duplicate:* ${exact.length} accounts hold ${code(r.spn)}. The KDC cannot tell which key to encrypt the ticket with (KRB_AP_ERR_MODIFIED, 401). Keep it only on the account that runs the service.`,
      ),
    );
  } else if (exact.length) {
    head.push(section(`:white_check_mark: ${code(r.spn)} is registered on exactly one account.`));
  } else {
    head.push(section(`:information_source: No account holds ${code(r.spn)} itself; ${alias.length === 1 ? 'a HOST/ SPN answers' : 'HOST/ SPNs answer'} for it through sPNMappings.`));
  }
  const lines = [
    ...exact.map((a) => refLine(a)),
    ...alias.map((a) => refLine(a, ` · via ${code(a.matched)} (sPNMappings)`)),
  ];
  const items = lineItems(lines);
  if (r.duplicate && r.fix) {
    items.push({ blocks: fixBlocks(r.fix, { index: 'q', ruleId: 'spn-duplicate', subject: r.spn }), count: 0 });
  }
  return composeReply({
    text: fallback(`${r.spn}: ${r.accounts.length ? `${exact.length} holder(s)${r.duplicate ? ', DUPLICATE' : ''}` : 'no holder'}`),
    head,
    items,
    tail: [context(`Answered by ${code(r.server)}`)],
    noun: 'accounts',
    overflowHint: completeListHint(() => krbops.spnQuery(r.spn, { json: true }), 'list'),
  });
}

export function spnDupesCard(r: SpnDupesResult): SlackReply {
  const nd = r.duplicates.length;
  const na = r.aliasCollisions.length;
  const title =
    nd || na
      ? `${nd} duplicate SPN${nd === 1 ? '' : 's'}${na ? `, ${na} alias collision${na === 1 ? '' : 's'}` : ''}`
      : 'No duplicate SPNs';
  const head: Block[] = [header(`${nd || na ? ':red_circle:' : ':white_check_mark:'} ${title}`)];
  if (nd || na) {
    head.push(section('Each duplicate makes the KDC pick one account\'s key for a ticket that another account must decrypt: users get 401 (KRB_AP_ERR_MODIFIED). Keep each SPN on the account that runs the service.'));
  }

  const items: ReplyItem[] = [];
  for (const d of r.duplicates) {
    const lines = [`:red_circle: ${code(d.spn)} — ${d.accounts.length} accounts`, ...d.accounts.map((a) => refLine(a))];
    const blocks: Block[] = [divider(), ...packLines(lines, SLACK_LIMITS.sectionText).map((t) => section(t))];
    blocks.push(...fixBlocks(d.fix, { index: `d${items.length}`, ruleId: 'spn-duplicate', subject: d.spn }));
    items.push({ blocks });
  }
  for (const c of r.aliasCollisions) {
    const lines = [
      `:large_orange_circle: ${code(c.spn)} is registered on ${joinFitting(c.serviceAccounts.map((a) => `*${esc(a.sAMAccountName)}*`), 600)}, while ${code(c.aliasOf)} (which answers for it through sPNMappings) is on ${joinFitting(c.hostAccounts.map((a) => `*${esc(a.sAMAccountName)}*`), 600)}. \`setspn -X\` does not report this.`,
    ];
    items.push({ blocks: [divider(), ...packLines(lines, SLACK_LIMITS.sectionText).map((t) => section(t))] });
  }

  const ctx = [
    `Scanned ${r.scanned.accounts} accounts, ${r.scanned.spns} SPNs${r.durationMs >= 0 ? ` in ${formatDuration(r.durationMs)}` : ''}`,
    `Answered by ${code(r.server)}`,
  ];
  if (r.allowList.length) ctx.push(`Allowed: ${joinFitting(r.allowList.map(code), 600)}`);
  return composeReply({
    text: fallback(`spn dupes: ${title}`),
    head,
    items,
    tail: [context(...ctx)],
    noun: 'duplicates',
    overflowHint: completeListHint(() => krbops.spnDupes({ json: true }), 'list'),
  });
}
