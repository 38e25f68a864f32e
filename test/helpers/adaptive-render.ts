/**
 * Parses, validates, renders and screenshots Adaptive Cards with the official `adaptivecards`
 * library (a browser library) inside headless Debian Chromium, driven by playwright-core.
 *
 *   const r = await CardRenderer.start();
 *   const report = await r.render('why-401-spn-wrong-account', card, { screenshotDir: 'test-output/cards/teams' });
 *   expect(report.events).toEqual([]);
 *   await r.close();
 *
 * CI needs Debian's `chromium` package (apt-get install chromium) at /usr/bin/chromium.
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const require = createRequire(import.meta.url);

export const CHROMIUM_PATH = process.env.KRBOPS_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A host config close to Teams' light theme (Segoe UI is not on Debian; Liberation/DejaVu stand in). */
export const TEAMS_LIKE_HOST_CONFIG = {
  fontFamily: "'Segoe UI', 'Liberation Sans', 'DejaVu Sans', sans-serif",
  fontTypes: {
    default: { fontFamily: "'Segoe UI', 'Liberation Sans', 'DejaVu Sans', sans-serif" },
    monospace: { fontFamily: "Consolas, 'DejaVu Sans Mono', 'Liberation Mono', monospace" },
  },
  supportsInteractivity: true,
  containerStyles: {
    default: { backgroundColor: '#FFFFFF', foregroundColors: { default: { default: '#242424', subtle: '#616161' }, accent: { default: '#5B5FC7' }, good: { default: '#0E700E' }, warning: { default: '#835B00' }, attention: { default: '#C4314B' } } },
    emphasis: { backgroundColor: '#F5F5F5', foregroundColors: { default: { default: '#242424', subtle: '#616161' }, accent: { default: '#5B5FC7' }, good: { default: '#0E700E' }, warning: { default: '#835B00' }, attention: { default: '#C4314B' } } },
    accent: { backgroundColor: '#E8EBFA', foregroundColors: { default: { default: '#242424', subtle: '#616161' } } },
    good: { backgroundColor: '#E7F2DA', foregroundColors: { default: { default: '#242424', subtle: '#616161' } } },
    attention: { backgroundColor: '#FCF4F6', foregroundColors: { default: { default: '#242424', subtle: '#616161' } } },
    warning: { backgroundColor: '#FBF6D9', foregroundColors: { default: { default: '#242424', subtle: '#616161' } } },
  },
  actions: { maxActions: 6, buttonSpacing: 8, actionsOrientation: 'horizontal', actionAlignment: 'left' },
};

export interface CardEvent {
  phase: string;
  event: string;
  message: string;
}

export interface RenderReport {
  name: string;
  /** Parse events (errors and warnings) logged by AdaptiveCard.parse with a SerializationContext. */
  events: CardEvent[];
  /** Failures found by AdaptiveCard.validateProperties(). */
  validation: CardEvent[];
  /** Whether render() produced an element. */
  rendered: boolean;
  /** innerText of the rendered card. */
  text: string;
  /** font-family of every rendered text block whose card element asked for fontType Monospace. */
  monospaceFonts: string[];
  /** Titles of the rendered action buttons. */
  actions: string[];
  /** Height in CSS pixels of the rendered card. */
  height: number;
  screenshot?: string;
}

export class CardRenderer {
  private constructor(private readonly browser: Browser, private readonly page: Page) {}

  static async start(): Promise<CardRenderer> {
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 760, height: 600 }, deviceScaleFactor: 1 });
    await page.setContent(
      '<!doctype html><html><head><meta charset="utf-8"><style>body{margin:0;background:#EBEBEB;font-family:sans-serif}#host{width:720px;margin:16px;background:#fff;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.2);overflow:hidden}</style></head><body><div id="host"></div></body></html>',
    );
    await page.addStyleTag({ path: require.resolve('adaptivecards/dist/adaptivecards.css') }).catch(() => undefined);
    await page.addScriptTag({ path: require.resolve('adaptivecards/dist/adaptivecards.min.js') });
    const ok = await page.evaluate(() => typeof (globalThis as { AdaptiveCards?: unknown }).AdaptiveCards === 'object');
    if (!ok) throw new Error('adaptivecards did not load in Chromium');
    return new CardRenderer(browser, page);
  }

  /** Parses, validates and renders one card; screenshots it when `screenshotDir` (or `screenshotPath`) is given. */
  async render(name: string, card: unknown, options: { screenshotDir?: string; screenshotPath?: string } = {}): Promise<RenderReport> {
    const report = await this.page.evaluate(
      ({ card, hostConfig }) => {
        const AC = (globalThis as any).AdaptiveCards;
        const describe = (e: { phase: number; event: number; message: string }) => ({
          phase: AC.ValidationPhase[e.phase] ?? String(e.phase),
          event: AC.ValidationEvent[e.event] ?? String(e.event),
          message: e.message,
        });
        const host = document.getElementById('host')!;
        host.innerHTML = '';
        const ac = new AC.AdaptiveCard();
        ac.hostConfig = new AC.HostConfig(hostConfig);
        const ctx = new AC.SerializationContext(AC.Versions.v1_5);
        ac.parse(card, ctx);
        const events = [];
        for (let i = 0; i < ctx.eventCount; i++) events.push(describe(ctx.getEventAt(i)));
        const validation = ac.validateProperties().validationEvents.map(describe);
        const el = ac.render();
        if (el) host.appendChild(el);
        const monospaceFonts: string[] = [];
        const walk = (o: { getItemCount?: () => number; getItemAt?: (i: number) => unknown; fontType?: number; renderedElement?: HTMLElement; getJsonTypeName?: () => string }) => {
          if (o.getJsonTypeName?.() === 'TextBlock' && o.fontType === AC.FontType.Monospace && o.renderedElement) {
            monospaceFonts.push(getComputedStyle(o.renderedElement).fontFamily);
          }
          const n = o.getItemCount?.() ?? 0;
          for (let i = 0; i < n; i++) walk(o.getItemAt!(i) as typeof o);
        };
        walk(ac);
        const actions = Array.from(host.querySelectorAll("button")).map((b) => (b as HTMLElement).innerText.trim()).filter(Boolean);
        return { events, validation, rendered: !!el, text: host.innerText, monospaceFonts, actions, height: host.getBoundingClientRect().height };
      },
      { card, hostConfig: TEAMS_LIKE_HOST_CONFIG },
    );
    let screenshot: string | undefined;
    const path = options.screenshotPath ?? (options.screenshotDir ? join(options.screenshotDir, `${name}.png`) : undefined);
    if (path && report.rendered) {
      mkdirSync(dirname(path), { recursive: true });
      await this.page.locator('#host').screenshot({ path });
      screenshot = path;
    }
    return { name, ...report, screenshot };
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}
