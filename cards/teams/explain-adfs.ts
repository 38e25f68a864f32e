/**
 * `krb explain` (a pasted error → what it means, likely rules, what to check next) and
 * `krb adfs` / `adfs check` (the federation metadata's certificates and their findings).
 */
import type { AdfsCheckResult, ExplainResult } from '../../src/model/index.js';
import { codeBlock, container, facts, mono, text, type AdaptiveCard, type CardElement, type ContainerStyle, type Fact } from './adaptive.js';
import { findingContainer } from './finding.js';
import { clip, splitCards, type SplitOptions } from './split.js';

export function explainCards(r: ExplainResult, options: SplitOptions = {}): AdaptiveCard[] {
  const head: CardElement[] = [
    container([text(clip(r.verdict), { weight: 'Bolder', size: 'Medium' })], { style: r.matches.length ? 'Accent' : 'Warning' }),
    text(clip(`Pasted: ${r.input}`, 600), { isSubtle: true, size: 'Small' }),
  ];
  const sections: CardElement[] = r.matches.map((m, i) => {
    const items: CardElement[] = [
      mono(clip(`${i + 1}. ${m.code}`, 200), { weight: 'Bolder', spacing: 'None' }),
      text(clip(m.meaning), { spacing: 'Small' }),
      text(clip(`Matched: “${m.matched}”`, 400), { isSubtle: true, size: 'Small', spacing: 'Small' }),
    ];
    if (m.rules.length) {
      items.push(text('Possible causes', { weight: 'Bolder', size: 'Small', spacing: 'Medium' }));
      items.push(facts(m.rules.slice(0, 15).map((x): Fact => ({ title: clip(x.ruleId, 60), value: clip(x.title, 400) })), { spacing: 'Small' }));
    }
    if (m.nextChecks.length) {
      items.push(text('Check next', { weight: 'Bolder', size: 'Small', spacing: 'Medium' }));
      items.push(codeBlock(m.nextChecks.slice(0, 15).map((c) => clip(c, 800))));
    }
    return container(items, { separator: true, spacing: 'Large' });
  });
  const { spns, hosts, urls } = r.mentioned;
  const tail: CardElement[] = [];
  if (spns.length || urls.length || hosts.length) {
    const list: Fact[] = [];
    if (spns.length) list.push({ title: 'SPNs', value: clip(spns.join(', '), 600) });
    if (urls.length) list.push({ title: 'URLs', value: clip(urls.join(', '), 600) });
    if (hosts.length) list.push({ title: 'Hosts', value: clip(hosts.join(', '), 600) });
    tail.push(text('Mentioned in the text', { weight: 'Bolder', size: 'Small', separator: true, spacing: 'Large' }), facts(list, { spacing: 'Small' }));
  }
  return splitCards({ title: 'krb explain', head, sections, tail, fallbackText: `krb explain: ${r.verdict}` }, options);
}

function adfsStyle(r: AdfsCheckResult): ContainerStyle {
  if (r.findings.some((f) => f.status === 'fail' && (f.severity === 'critical' || f.severity === 'high'))) return 'Attention';
  if (r.findings.length || r.sources.some((s) => !s.ok)) return 'Warning';
  return 'Good';
}

export function adfsCards(r: AdfsCheckResult, options: SplitOptions = {}): AdaptiveCard[] {
  const failing = r.findings.filter((f) => f.status === 'fail').length;
  const verdict = r.findings.length
    ? `${failing} problem(s) with the AD FS certificates${r.findings.length > failing ? `, ${r.findings.length - failing} undecided` : ''}.`
    : r.sources.length
      ? 'Every AD FS certificate checks out.'
      : 'No federation metadata to check (KRBOPS_ADFS_METADATA_URLS is empty).';
  const head: CardElement[] = [container([text(verdict, { weight: 'Bolder', size: 'Medium' })], { style: adfsStyle(r) })];
  for (const s of r.sources.slice(0, 10)) {
    const list: Fact[] = [{ title: 'Metadata', value: clip(s.source, 500) }];
    if (s.entityId) list.push({ title: 'Entity ID', value: clip(s.entityId, 300) });
    list.push({ title: 'Signature', value: clip(`${s.signature}${s.signatureDetail ? ` — ${s.signatureDetail}` : ''}`, 500) });
    if (s.primaryThumbprint) list.push({ title: 'Primary signing', value: s.primaryThumbprint });
    if (s.error) list.push({ title: 'Error', value: clip(`${s.error.message} (${s.error.code})`, 600) });
    head.push(facts(list, { separator: true, spacing: 'Medium' }));
  }
  const certs = r.certificates.slice(0, 20).map((c) =>
    container(
      [
        text(clip(`${c.use}${c.primary ? ' · primary' : ''} · ${c.subject}`, 400), { weight: 'Bolder', color: c.expired || c.daysLeft < 0 ? 'Attention' : c.daysLeft <= 30 ? 'Warning' : 'Default' }),
        facts(
          [
            { title: 'Thumbprint', value: c.thumbprint },
            { title: 'Valid', value: `${c.notBefore.slice(0, 10)} → ${c.notAfter.slice(0, 10)} (${c.expired ? 'expired' : `${c.daysLeft} days left`})` },
            { title: 'Issuer', value: clip(c.issuer, 300) },
          ],
          { spacing: 'Small' },
        ),
      ],
      { separator: true, spacing: 'Medium' },
    ),
  );
  const sections: CardElement[] = [...certs, ...r.findings.map((f, i) => findingContainer(f, { rank: i + 1 }))];
  return splitCards(
    {
      title: 'krb adfs',
      head,
      sections,
      tail: [text(`Checked ${r.checkedAt}`, { isSubtle: true, size: 'Small', separator: true })],
      fallbackText: `AD FS: ${verdict}`,
    },
    options,
  );
}
