/**
 * Every card the Teams surface can produce, parsed by the official `adaptivecards` library in
 * headless Chromium with zero parse or validation events, rendered, and screenshotted into
 * test-output/cards/teams/ (the README's manifest/screenshots/why-401-card.png is a copy of why-401-spn-wrong-account-1.png).
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CardRenderer, type RenderReport } from '../../helpers/adaptive-render.js';
import { cardCatalogue } from './catalogue.js';

const OUT = 'test-output/cards/teams';

describe('Teams cards rendered by the adaptivecards library in Chromium', () => {
  let renderer: CardRenderer;
  const reports = new Map<string, RenderReport>();

  beforeAll(async () => {
    renderer = await CardRenderer.start();
  }, 60_000);
  afterAll(async () => {
    await renderer?.close();
  });

  const catalogue = cardCatalogue();
  const cases = catalogue.flatMap((e) => e.cards.map((card, i) => [`${e.name}-${i + 1}`, card] as const));

  it.each(cases)('%s parses without errors or warnings, renders, and is screenshotted', async (name, card) => {
    const report = await renderer.render(name, card, { screenshotDir: OUT });
    reports.set(name, report);
    expect(report.events).toEqual([]);
    expect(report.validation).toEqual([]);
    expect(report.rendered).toBe(true);
    expect(report.height).toBeGreaterThan(40);
    expect(report.screenshot && existsSync(report.screenshot)).toBe(true);
    // Fix commands are set in a monospace font by the renderer, not just flagged in JSON.
    for (const font of report.monospaceFonts) expect(font).toMatch(/mono/i);
  });

  it('renders the why-401 card with its verdict, commands and the request button', () => {
    const r = reports.get('why-401-spn-wrong-account-1')!;
    expect(r.text).toContain('Most likely cause');
    expect(r.text).toContain('setspn -D HTTP/crm.contoso.test NDCRMSRV1$');
    expect(r.actions.filter((a) => a === 'Request this change')).toHaveLength(2);
    expect(r.monospaceFonts.length).toBeGreaterThanOrEqual(5);
  });

  it('renders a duplicate SPN as one setspn -D per holder under its own heading, with a "Keep on" button per holder', () => {
    for (const name of ['spn-query-duplicate-1', 'spn-dupes-found-1', 'why-401-duplicate-spn-undecided-1', 'alert-dupes-finding-1']) {
      const r = reports.get(name)!;
      expect(r, name).toBeDefined();
      const keep = r.actions.filter((a) => a.startsWith('Keep on '));
      expect(keep.length, name).toBeGreaterThanOrEqual(2);
      // Each rendered "If X does not run the service:" heading is followed by X's command alone.
      const lines = r.text.split('\n').map((l) => l.trim()).filter(Boolean);
      const headings = lines.map((l, i) => [l, i] as const).filter(([l]) => /^If \S+ does not run the service:$/.test(l));
      expect(headings.length, name).toBeGreaterThanOrEqual(2);
      for (const [h, i] of headings) {
        const account = /^If (\S+) does not run/.exec(h)![1];
        expect(lines[i + 1], name).toMatch(new RegExp(`^setspn -D \\S+ ${account.replace(/[$\\]/g, '\\$&')}$`));
        expect(lines[i + 2] ?? '', name).not.toMatch(/^setspn -D/);
      }
      // (An alert also repeats the fix in its plain text, so a heading may show twice.)
      expect(keep.map((k) => k.slice('Keep on '.length)).sort(), name).toEqual([...new Set(headings.map(([h]) => /^If (\S+) does not run/.exec(h)![1]))].sort());
    }
    expect(reports.get('why-401-duplicate-spn-undecided-1')!.actions.filter((a) => a.startsWith('Keep on '))).toEqual(['Keep on CONTOSO\\svc_crmweb', 'Keep on CONTOSO\\svc_crmold', 'Keep on CONTOSO\\NDCRMSRV1$']);
  });

  it('shows hostile text as text, not markup', () => {
    const r = reports.get('why-401-hostile-text-1')!;
    expect(r.text).toContain('<b>not html</b>');
  });
});
