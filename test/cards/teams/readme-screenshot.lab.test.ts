/**
 * The README's picture is krbops' own answer: `krb why-401 http://crm.contoso.test` against the Samba
 * lab (live LDAP, DNS, HTTP is not served there so the probe's failure shows too), rendered by the
 * adaptivecards library in headless Chromium into manifest/screenshots/why-401-card.png.
 */
import { existsSync, statSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cardsForResult } from '../../../cards/teams/index.js';
import krbWhy401 from '../../../commands/krb-why-401.js';
import { loadConfig } from '../../../src/config.js';
import { createContext } from '../../../src/core.js';
import { silentLogger } from '../../../src/log.js';
import { CardRenderer } from '../../helpers/adaptive-render.js';
import { labEnv, type Lab } from '../../helpers/lab-env.js';

const PICTURE = 'manifest/screenshots/why-401-card.png';
let lab: Lab;
let renderer: CardRenderer;

beforeAll(async () => {
  lab = await labEnv();
  renderer = await CardRenderer.start();
}, 120_000);
afterAll(async () => {
  await renderer?.close();
});

it('renders a real why-401 answer against the lab into the README picture', async () => {
  const config = loadConfig(lab.env());
  const ctx = createContext(config, silentLogger, { surface: 'cli', id: 'readme' });
  let result;
  try {
    result = await krbWhy401.run(ctx, { positionals: { url: 'http://crm.contoso.test' }, options: { identity: 'crmweb', backend: ['MSSQLSvc/ndsqlsrv1.contoso.test:1433'] } });
  } finally {
    await ctx.close();
  }
  expect(result.findings[0].ruleId).toBe('spn-duplicate');
  const started = Date.now();
  const report = await renderer.render('why-401-readme', cardsForResult(result)[0], { screenshotPath: PICTURE });
  expect(report.events).toEqual([]);
  expect(report.rendered).toBe(true);
  expect(report.text).toContain('HTTP/crm.contoso.test');
  expect(existsSync(PICTURE) && statSync(PICTURE).mtimeMs).toBeGreaterThanOrEqual(started - 1000);
});
