/**
 * A scheduled watcher's alert (ADFS certificate expiring, new duplicate SPN…) as cards for a channel.
 */
import type { Finding, Severity } from '../../src/rules/types.js';
import { container, text, type AdaptiveCard, type CardElement } from './adaptive.js';
import { findingContainer, SEVERITY_COLOUR } from './finding.js';
import { clip, splitCards, type SplitOptions } from './split.js';

export interface AlertView {
  title: string;
  text?: string;
  severity?: Severity;
  findings?: Finding[];
  key?: string;
}

export function alertCards(a: AlertView, options: SplitOptions = {}): AdaptiveCard[] {
  const colour = a.severity ? SEVERITY_COLOUR[a.severity] : 'Accent';
  const head: CardElement[] = [];
  head.push(
    container([text(a.severity ? `${a.severity.toUpperCase()} · krbops alert` : 'krbops alert', { weight: 'Bolder', size: 'Small', color: colour }), ...(a.text ? [text(clip(a.text, 3000), { spacing: 'Small' })] : [])], {
      style: colour === 'Attention' ? 'Attention' : colour === 'Warning' ? 'Warning' : 'Accent',
    }),
  );
  const tail = a.key ? [text(`Alert ${clip(a.key, 300)}`, { isSubtle: true, size: 'Small', separator: true })] : [];
  return splitCards({ title: clip(a.title, 200), head, sections: (a.findings ?? []).map((f, i) => findingContainer(f, { rank: i + 1 })), tail, fallbackText: a.title }, options);
}
