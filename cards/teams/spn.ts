/**
 * `spn list`, `spn query` and `spn dupes` as Adaptive Cards: the answers of `setspn -L`, `-Q` and
 * `-X`, with the account facts that matter for Kerberos and copy-ready `setspn` commands.
 */
import type { AccountFacts, AccountRef, SpnDupesResult, SpnListResult, SpnQueryResult } from '../../src/model/index.js';
import { domainAccount } from '../../src/spn/account.js';
import { codeBlock, container, facts, mono, text, type AdaptiveCard, type CardElement, type Fact } from './adaptive.js';
import { clip, splitCards, type SplitOptions } from './split.js';
import { fixItems } from './fix.js';

/** SPNs per monospace block; a block is the unit the splitter moves to the next card. */
const SPN_CHUNK = 40;

function chunks<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

function day(iso?: string): string | undefined {
  return iso ? iso.replace(/T.*$/, '') : undefined;
}

function delegation(a: AccountFacts): string {
  const parts: string[] = [];
  if (a.userAccountControl.trustedForDelegation) parts.push('unconstrained (TRUSTED_FOR_DELEGATION)');
  if (a.allowedToDelegateTo.length) {
    parts.push(`constrained to ${a.allowedToDelegateTo.length} SPN(s)${a.userAccountControl.trustedToAuthForDelegation ? ', any protocol' : ', Kerberos only'}`);
  }
  if (a.hasResourceBasedDelegation) parts.push('resource-based (msDS-AllowedToActOnBehalfOfOtherIdentity set)');
  return parts.length ? parts.join('; ') : 'none';
}

function accountFacts(a: AccountFacts, server: string): Fact[] {
  const list: Fact[] = [
    { title: 'Kind', value: a.kind },
    { title: 'DN', value: clip(a.dn, 500) },
  ];
  if (a.userPrincipalName) list.push({ title: 'UPN', value: clip(a.userPrincipalName, 300) });
  if (a.dNSHostName) list.push({ title: 'DNS host name', value: clip(a.dNSHostName, 300) });
  list.push({ title: 'Enabled', value: a.userAccountControl.disabled ? 'no (ACCOUNTDISABLE)' : 'yes' });
  list.push({ title: 'Flags', value: clip(a.userAccountControl.names.join(', ') || String(a.userAccountControl.raw), 500) });
  list.push({ title: 'Delegation', value: delegation(a) });
  if (a.allowedToDelegateTo.length) list.push({ title: 'Delegates to', value: clip(a.allowedToDelegateTo.join(', '), 800) });
  list.push({
    title: 'Encryption types',
    value: a.supportedEncryptionTypes === undefined ? 'not set (the KDC assumes RC4 for user accounts)' : `${a.encryptionTypeNames.join(', ') || 'none'} (${a.supportedEncryptionTypes})`,
  });
  if (a.userAccountControl.notDelegated || a.protectedUser) {
    list.push({ title: 'Sensitive', value: [a.userAccountControl.notDelegated ? 'cannot be delegated (NOT_DELEGATED)' : '', a.protectedUser ? 'member of Protected Users' : ''].filter(Boolean).join('; ') });
  }
  if (a.pwdLastSet) list.push({ title: 'Password set', value: day(a.pwdLastSet)! });
  if (a.whenChanged) list.push({ title: 'Changed', value: day(a.whenChanged)! });
  list.push({ title: 'Answered by', value: clip(server, 200) });
  return list;
}

export function spnListCards(r: SpnListResult, options: SplitOptions = {}): AdaptiveCard[] {
  const a = r.account;
  const name = domainAccount(a.sAMAccountName, a.domain);
  const head: CardElement[] = [facts(accountFacts(a, r.server)), text(`Service principal names (${r.spns.length})`, { weight: 'Bolder', spacing: 'Large' })];
  const sections: CardElement[] = r.spns.length
    ? chunks(r.spns.map((s) => clip(s, 500)), SPN_CHUNK).map((c) => codeBlock(c))
    : [text('No SPNs are registered on this account.', { color: 'Warning' })];
  return splitCards(
    {
      title: `SPNs of ${clip(name, 150)}`,
      head,
      sections,
      fallbackText: `${name}: ${r.spns.length} SPN(s)`,
      omitted: (n) => `${n * SPN_CHUNK} or so more SPNs not shown; run krbops spn list ${clip(a.sAMAccountName, 100)} --json for all of them.`,
    },
    options,
  );
}

function holderBlock(h: SpnQueryResult['accounts'][number]): CardElement {
  const list: Fact[] = [{ title: 'DN', value: clip(h.dn, 500) }];
  list.push({ title: 'Registered as', value: clip(h.matched, 500) });
  list.push({ title: 'Match', value: h.via === 'exact' ? 'exact' : 'through sPNMappings (a HOST/ SPN answers for this service class)' });
  if (h.whenChanged) list.push({ title: 'Changed', value: day(h.whenChanged)! });
  return container([text(`${clip(h.sAMAccountName, 200)}${h.disabled ? ' (disabled)' : ''}`, { weight: 'Bolder', color: h.disabled ? 'Warning' : 'Default' }), facts(list, { spacing: 'Small' })], {
    separator: true,
    spacing: 'Medium',
  });
}

export function spnQueryCards(r: SpnQueryResult, options: SplitOptions = {}): AdaptiveCard[] {
  const exact = r.accounts.filter((h) => h.via === 'exact');
  const head: CardElement[] = [];
  if (!r.accounts.length) {
    head.push(
      container([text(`No account holds ${clip(r.spn, 300)}.`, { weight: 'Bolder' }), text('A browser asking for this SPN gets KDC_ERR_S_PRINCIPAL_UNKNOWN and falls back to NTLM (or fails with 401).', { isSubtle: true, spacing: 'Small' })], {
        style: 'Warning',
      }),
    );
  } else if (r.duplicate) {
    head.push(
      container(
        [
          text(`Duplicate: ${exact.length} accounts hold this SPN.`, { weight: 'Bolder' }),
          text('The KDC cannot pick one key for the ticket; clients fail with KRB_AP_ERR_MODIFIED or fall back to NTLM.', { spacing: 'Small', wrap: true }),
          ...(r.fix ? fixItems(r.fix, { ruleId: 'spn-duplicate', subject: r.spn }) : []),
        ],
        { style: 'Attention' },
      ),
    );
  } else {
    const aliases = r.accounts.length - exact.length;
    const [holder] = exact;
    const [answering] = r.accounts;
    const line = holder
      ? `Held by ${clip(holder.sAMAccountName, 200)}${aliases ? `; ${aliases} more account(s) answer for it through sPNMappings` : ''}.`
      : `No account holds it exactly; ${clip(answering?.sAMAccountName ?? '', 200)} answers for it through sPNMappings (${clip(answering?.matched ?? '', 300)}).`;
    head.push(container([text(line, { weight: 'Bolder' })], { style: exact.length ? 'Good' : 'Accent' }));
  }
  head.push(text(`Answered by ${clip(r.server, 200)}`, { isSubtle: true, size: 'Small' }));
  return splitCards(
    {
      title: `spn query ${clip(r.spn, 200)}`,
      head,
      sections: r.accounts.map(holderBlock),
      fallbackText: `${r.spn}: ${r.accounts.length ? r.accounts.map((h) => h.sAMAccountName).join(', ') : 'no account'}`,
    },
    options,
  );
}

function refLine(a: AccountRef): Fact {
  return { title: clip(a.sAMAccountName, 100) + (a.disabled ? ' (disabled)' : ''), value: clip(`${a.dn}${a.whenChanged ? ` · changed ${day(a.whenChanged)}` : ''}`, 600) };
}

export function spnDupesCards(r: SpnDupesResult, options: SplitOptions = {}): AdaptiveCard[] {
  const clean = !r.duplicates.length && !r.aliasCollisions.length;
  const head: CardElement[] = [
    container(
      [
        text(
          clean
            ? 'No duplicate SPNs and no alias collisions.'
            : `${r.duplicates.length} duplicate SPN(s), ${r.aliasCollisions.length} alias collision(s).`,
          { weight: 'Bolder' },
        ),
      ],
      { style: clean ? 'Good' : 'Attention' },
    ),
    facts(
      [
        { title: 'Scanned', value: `${r.scanned.accounts} accounts, ${r.scanned.spns} SPNs in ${r.durationMs} ms` },
        { title: 'Answered by', value: clip(r.server, 200) },
        { title: 'Allow-list', value: clip(r.allowList.join(', ') || '(empty)', 500) },
      ],
      { spacing: 'Small' },
    ),
  ];
  const sections: CardElement[] = [];
  for (const d of r.duplicates) {
    sections.push(
      container(
        [
          mono(clip(d.spn, 500), { weight: 'Bolder', color: 'Attention', spacing: 'None' }),
          facts(d.accounts.slice(0, 20).map(refLine), { spacing: 'Small' }),
          ...fixItems(d.fix, { ruleId: 'spn-duplicate', subject: d.spn }),
        ],
        { separator: true, spacing: 'Medium' },
      ),
    );
  }
  for (const c of r.aliasCollisions) {
    sections.push(
      container(
        [
          mono(clip(`${c.spn} ↔ ${c.aliasOf}`, 600), { weight: 'Bolder', color: 'Warning', spacing: 'None' }),
          text(`${clip(c.spn, 300)} is registered on one account while ${clip(c.aliasOf, 300)}, which answers for it through sPNMappings, sits on another; setspn -X does not report this.`, {
            size: 'Small',
            spacing: 'Small',
          }),
          facts([...c.serviceAccounts.slice(0, 10).map(refLine), ...c.hostAccounts.slice(0, 10).map(refLine)], { spacing: 'Small' }),
        ],
        { separator: true, spacing: 'Medium' },
      ),
    );
  }
  return splitCards(
    {
      title: 'spn dupes',
      head,
      sections,
      fallbackText: clean ? 'No duplicate SPNs' : `${r.duplicates.length} duplicate SPN(s), ${r.aliasCollisions.length} alias collision(s)`,
      omitted: (n) => `${n} more duplicate(s) or collision(s) not shown; run krbops spn dupes --json for the full list.`,
    },
    options,
  );
}
