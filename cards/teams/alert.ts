/**
 * A scheduled watcher's alert (ADFS certificate expiring, new duplicate SPN…) as cards for a channel.
 * The shape is the Slack alert's (cards/slack/alert.ts) plus `text` and `key`, so one alert object
 * serves both notifiers.
 */
import type { AlertView } from '../../src/notify.js';
import { mostSevere } from '../../src/model/index.js';
import { container, text, type AdaptiveCard, type CardElement } from './adaptive.js';
import { findingContainer, SEVERITY_COLOUR } from './finding.js';
import { clip, splitCards, type SplitOptions } from './split.js';

export type { AlertView };

export function alertCards(a: AlertView, options: SplitOptions = {}): AdaptiveCard[] {
  const findings = a.findings ?? [];
  const severity = a.severity ?? mostSevere(findings.map((f) => f.severity));
  const colour = SEVERITY_COLOUR[severity];
  const style = colour === 'Attention' ? 'Attention' : colour === 'Warning' ? 'Warning' : 'Accent';
  const body: CardElement[] = [text(`${severity.toUpperCase()} · krbops alert`, { weight: 'Bolder', size: 'Small', color: colour })];
  if (a.text) body.push(text(clip(a.text, 3000), { spacing: 'Small' }));
  for (const line of (a.lines ?? []).slice(0, 30)) body.push(text(clip(line, 1000), { spacing: 'Small' }));
  const head: CardElement[] = [container(body, { style })];
  const meta = [a.source ? `krbops ${a.source}` : 'krbops', a.at ? `${a.at.replace('T', ' ').slice(0, 16)} UTC` : '', a.key ? `alert ${a.key}` : ''].filter(Boolean).join(' · ');
  return splitCards(
    {
      title: clip(a.title, 200),
      head,
      sections: findings.map((f, i) => findingContainer(f, { rank: i + 1 })),
      tail: [text(clip(meta, 500), { isSubtle: true, size: 'Small', separator: true })],
      fallbackText: `${severity.toUpperCase()}: ${a.title}`,
    },
    options,
  );
}
