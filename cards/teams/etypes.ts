/**
 * `krb etypes` as Adaptive Cards: counts per risk class, krbtgt, one container per account that
 * fails now, is at risk or is Kerberoastable (reasons, fix commands), then the OK accounts by name.
 */
import type { EtypeAccountReport, EtypeRisk, EtypesResult } from '../../src/model/index.js';
import { countsLine, RISK_LABEL } from '../text/etypes.js';
import { codeBlock, container, facts, text, type AdaptiveCard, type CardElement } from './adaptive.js';
import { clip, splitCards, type SplitOptions } from './split.js';

const COLOUR: Record<EtypeRisk, 'Attention' | 'Warning' | 'Accent' | 'Good'> = { 'fails-now': 'Attention', 'at-risk': 'Warning', kerberoastable: 'Accent', ok: 'Good' };

function accountContainer(a: EtypeAccountReport): CardElement {
  const set = a.supportedEncryptionTypes.value === null ? 'not set' : `${a.supportedEncryptionTypes.value} (${a.supportedEncryptionTypes.hex})`;
  const keys = a.aesKeysLikely === null ? 'unknown' : a.aesKeysLikely ? 'likely' : 'likely missing';
  const items: CardElement[] = [
    text(clip(`${a.sAMAccountName} (${a.kind}) — ${RISK_LABEL[a.risk]}`, 300), { weight: 'Bolder', color: COLOUR[a.risk], spacing: 'None' }),
    facts(
      [
        { title: 'msDS-SupportedEncryptionTypes', value: set },
        { title: 'KDC uses', value: a.effectiveEncryptionTypes.join(', ') || 'nothing' },
        { title: 'AES keys', value: keys },
        { title: 'Password set', value: a.pwdLastSet?.slice(0, 10) ?? 'never' },
      ],
      { spacing: 'Small' },
    ),
    ...a.reasons.map((r) => text(clip(`• ${r}`), { size: 'Small', spacing: 'None' })),
  ];
  if (a.risk !== 'ok') {
    items.push(text(clip(`Fix: ${a.fix.summary}`), { size: 'Small', spacing: 'Small' }));
    if (a.fix.commands.length) items.push(codeBlock(a.fix.commands.map((c) => clip(c, 600))));
  }
  return container(items, { separator: true, spacing: 'Medium' });
}

export function etypesCards(r: EtypesResult, options: SplitOptions = {}): AdaptiveCard[] {
  const bad = r.counts['fails-now'] + r.counts['at-risk'] + (r.krbtgt && r.krbtgt.risk !== 'ok' ? 1 : 0);
  const summary = `Under the 2026 AES-only KDC default: ${countsLine(r.counts)} (${r.accounts.length} accounts with SPNs).`;
  const head: CardElement[] = [
    container([text(summary, { weight: 'Bolder' })], { style: bad ? 'Attention' : r.counts.kerberoastable ? 'Warning' : 'Good' }),
    facts(
      [
        { title: 'Domain', value: clip(r.domain, 300) },
        { title: 'krbtgt', value: r.krbtgt ? RISK_LABEL[r.krbtgt.risk] : 'not readable' },
        { title: 'AES keys since', value: clip(`${r.aesSince?.slice(0, 10) ?? 'unknown'}: ${r.aesSinceBasis} (a heuristic; confirm with event 4769 "Available Keys" or KDCSVC 201–209)`, 600) },
        { title: 'Answered by', value: `${clip(r.server, 200)} in ${r.durationMs} ms` },
      ],
      { spacing: 'Small' },
    ),
  ];
  const sections: CardElement[] = [];
  if (r.krbtgt && r.krbtgt.risk !== 'ok') sections.push(accountContainer(r.krbtgt));
  for (const a of r.accounts) if (a.risk !== 'ok') sections.push(accountContainer(a));
  const ok = r.accounts.filter((a) => a.risk === 'ok');
  if (ok.length) sections.push(container([text(clip(`OK (${ok.length}): ${ok.map((a) => a.sAMAccountName).join(', ')}`, 3000), { size: 'Small' })], { separator: true }));
  return splitCards(
    {
      title: 'krb etypes',
      head,
      sections,
      fallbackText: `krb etypes: ${summary}`,
      omitted: (n) => `${n} more account(s) not shown: run krbops krb etypes --json for the complete list.`,
    },
    options,
  );
}
