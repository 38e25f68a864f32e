/**
 * `krb why-401` as Adaptive Cards: the verdict first (the most likely cause in one sentence), what was
 * asked and inferred, then each finding ranked, then what passed and how long it took.
 */
import type { Why401Result } from '../../src/model/index.js';
import { authenticationLine } from '../text/why-401.js';
import { container, facts, text, type AdaptiveCard, type ContainerStyle, type Fact } from './adaptive.js';
import { findingContainer } from './finding.js';
import { clip, splitCards, type SplitOptions } from './split.js';

/** Under the "Most likely cause" label the verdict stands alone, so it starts with a capital. */
const sentence = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function verdictStyle(r: Why401Result): ContainerStyle {
  const failing = r.findings.filter((f) => f.status === 'fail');
  if (failing.some((f) => f.severity === 'critical' || f.severity === 'high')) return 'Attention';
  if (r.authentication?.outcome === 'authenticated' && !failing.some((f) => f.severity === 'medium')) return 'Good';
  if (failing.length || r.findings.length) return 'Warning';
  return 'Good';
}

export function why401Cards(r: Why401Result, options: SplitOptions = {}): AdaptiveCard[] {
  const failing = r.findings.filter((f) => f.status === 'fail').length;
  const unknown = r.findings.length - failing;
  const summary: Fact[] = [{ title: 'URL', value: clip(r.url, 500) }];
  if (r.canonicalHost) summary.push({ title: 'Canonical host', value: clip(r.canonicalHost, 300) });
  if (r.expectedSpns.length) summary.push({ title: 'Expected SPNs', value: clip(r.expectedSpns.join(', ')) });
  for (const line of r.inferred.slice(0, 10)) summary.push({ title: 'Inferred', value: clip(line) });
  summary.push({ title: 'Findings', value: `${failing} failing, ${unknown} undecided, ${r.passed.length} checks passed` });

  const kerberos = authenticationLine(r.authentication);
  const authenticated = r.authentication?.outcome === 'authenticated';
  const head = [
    container(
      [
        text(r.findings.length && !authenticated ? 'Most likely cause' : 'Verdict', { size: 'Small', weight: 'Bolder' }),
        // Verdicts may already open with the label ("Most likely cause: …"); say it once.
        text(clip(sentence(r.verdict.replace(/^most likely cause:\s*/i, ''))), { size: 'Medium', weight: 'Bolder', spacing: 'Small' }),
        ...(kerberos ? [text(clip(kerberos, 500), { weight: 'Bolder', color: authenticated ? 'Good' : 'Default', spacing: 'Small' })] : []),
      ],
      { style: verdictStyle(r), spacing: 'Medium' },
    ),
    facts(summary, { spacing: 'Medium' }),
  ];
  if (r.collectorErrors.length) {
    head.push(
      container(
        [
          text('Some evidence could not be gathered', { weight: 'Bolder', color: 'Warning' }),
          facts(r.collectorErrors.slice(0, 10).map((e) => ({ title: clip(e.collector, 40), value: clip(`${e.message} (${e.code})`, 500) })), { spacing: 'Small' }),
        ],
        { spacing: 'Medium' },
      ),
    );
  }

  const sections = r.findings.map((f, i) => findingContainer(f, { url: r.url, rank: i + 1 }));
  const tail = [];
  if (r.passed.length) {
    tail.push(text(clip(`Passed (${r.passed.length}): ${r.passed.map((p) => p.title).join(' · ')}`, 3000), { color: 'Good', separator: true, spacing: 'Large' }));
  }
  if (r.notApplicable?.length) {
    tail.push(text(clip(`Not applicable: ${r.notApplicable.map((p) => `${p.title} (${p.reason})`).join(' · ')}`, 2000), { isSubtle: true, size: 'Small', spacing: 'Small' }));
  }
  tail.push(text(`Answered in ${r.durationMs} ms`, { isSubtle: true, size: 'Small', spacing: r.passed.length ? 'Small' : 'Large' }));

  return splitCards(
    {
      title: `krb why-401 ${clip(r.url, 200)}`,
      head,
      sections,
      tail,
      fallbackText: `why-401 ${r.url}: ${r.verdict}`,
      omitted: (n) => `${n} more finding(s) not shown; run krbops krb why-401 ${clip(r.url, 200)} --json for all of them.`,
    },
    options,
  );
}
