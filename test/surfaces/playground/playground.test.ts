/**
 * The playground as a new user meets it: `krbops serve` started with NOTHING configured (demo mode)
 * in a child process, a headless Debian Chromium that types the chat commands into the page, sees
 * the Teams card (drawn by the adaptivecards package) beside the Slack blocks, clicks "Request this
 * change", approves it as the demo admin and reads the audit trail. Screenshots: test-output/playground/
 * and the README's manifest/screenshots/playground.png.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { isLoopback } from '../../../src/surfaces/playground/index.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../helpers/adaptive-render.js';

const SHOTS = 'test-output/playground';
let child: ChildProcess;
let banner = '';
let url: string;
let browser: Browser;
let page: Page;

/** The environment of a machine where nothing krbops knows is set. */
function bareEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(LDAP_|SLACK_|KRBOPS_|KRB5|Microsoft|PORT$|HOST$)/.test(k)) env[k] = v;
  return { ...env, PORT: '0', LOG_LEVEL: 'warn' };
}

beforeAll(async () => {
  child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], { env: bareEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
  url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no demo banner within 60 s: ${banner}`)), 60_000);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (s: string) => {
      banner += s;
      const m = /Playground: (http:\/\/127\.0\.0\.1:\d+)\//.exec(banner);
      if (m && banner.includes('='.repeat(78) + '\n', banner.indexOf('Playground'))) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`krbops serve exited (${code}): ${banner}`)));
  });
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1500, height: 1000 }, deviceScaleFactor: 1 });
  await page.goto(`${url}/`);
  await page.waitForSelector('body[data-ready="true"]');
  mkdirSync(SHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  child?.kill('SIGTERM');
});

/** The newest exchange on the page, once its answer has arrived. */
async function newest(): Promise<Locator> {
  const n = await page.locator('section.exchange').first().getAttribute('data-n');
  const ex = page.locator(`section.exchange[data-n="${n}"]`);
  await ex.locator('.working').first().waitFor({ state: 'detached', timeout: 20_000 });
  return ex;
}

async function ask(text: string, as: 'engineer' | 'admin' = 'engineer'): Promise<Locator> {
  await page.selectOption('#as', as);
  await page.fill('#command', text);
  await page.click('#send');
  return newest();
}

describe('npm start with nothing configured', () => {
  it('says loudly that it serves demo data, and which variables switch to a real directory and chat', () => {
    expect(banner).toContain('krbops DEMO MODE: every answer comes from DEMO DATA');
    for (const v of ['LDAP_URL', 'LDAP_BIND_DN', 'SLACK_BOT_TOKEN', 'MicrosoftAppId', 'LDAP_URL=file:']) expect(banner).toContain(v);
    expect(banner).not.toMatch(/auth\.test|CONFIG_INVALID/);
  });

  it('labels the page as demo data', async () => {
    await expect(page.locator('#source').innerText()).resolves.toMatch(/^DEMO DATA: answers come from the made-up contoso\.com \(file:contoso\.ldif\)/);
  });
});

describe('the playground page', () => {
  it('answers /krb why-401 with the Teams card beside the Slack blocks', async () => {
    const ex = await ask('/krb why-401 http://crm.contoso.com');
    await expect(ex.getAttribute('data-kind')).resolves.toBe('why-401');
    const teams = await ex.locator('.teams .ac-adaptiveCard').first().innerText();
    expect(teams).toContain('Most likely cause');
    expect(teams).toContain('The same SPN is registered on more than one account');
    expect(teams).toContain('setspn -D HTTP/crm.contoso.com CONTOSO\\crmweb-old');
    expect(teams).toMatch(/RECORDED in .*krbops\.yaml/);
    const slack = await ex.locator('.slack .sk-message').first().innerText();
    expect(slack).toContain('HTTP/crm.contoso.com');
    expect(slack).toContain('setspn -D HTTP/crm.contoso.com CONTOSO\\crmweb-old');
    // The JSON for Block Kit Builder is the blocks Slack would get.
    const json = JSON.parse(await ex.locator('.slack details.sk-json pre').first().textContent() ?? '{}');
    expect(json.blocks.length).toBeGreaterThan(3);
    expect(await ex.locator('.slack details.sk-json a').first().getAttribute('href')).toMatch(/^https:\/\/app\.slack\.com\/block-kit-builder#%7B%22blocks%22/);
    await page.screenshot({ path: `${SHOTS}/why-401.png`, fullPage: false });
    // The README shows this page as krbops draws it.
    await page.screenshot({ path: 'manifest/screenshots/playground.png', fullPage: false });
  });

  it('shows a bad command as usage help on both sides, never a stack trace', async () => {
    const ex = await ask('spn list');
    await expect(ex.getAttribute('data-kind')).resolves.toBe('error');
    expect(await ex.locator('.teams').innerText()).toMatch(/spn list <account>/);
    expect(await ex.locator('.slack').innerText()).toMatch(/spn list <account>/);
  });

  it('requests a change from a Teams card, refuses the requester, lets the demo admin approve, and keeps the audit trail', async () => {
    const answer = await ask('krb why-401 http://crm.contoso.com');
    await answer.locator('.teams button', { hasText: 'Request this change' }).first().click();
    const requested = await newest();
    await expect(requested.getAttribute('data-kind')).resolves.toBe('approval');
    const teamsText = await requested.locator('.teams').innerText();
    expect(teamsText).toContain('Change requested');
    const id = /Request\s+(\S+)/.exec(teamsText)?.[1];
    expect(id).toBeTruthy();
    expect(await requested.locator('.slack').innerText()).toContain(`Change request ${id} recorded: pending approval`);

    // The requester may not approve their own request.
    await requested.locator('.teams button', { hasText: 'Approve' }).first().click();
    const refused = await newest();
    await expect(refused.getAttribute('data-kind')).resolves.toBe('error');
    expect(await refused.locator('.teams').innerText()).toMatch(/admin|own request/i);

    await page.selectOption('#as', 'admin');
    await requested.locator('.teams button', { hasText: 'Approve' }).first().click();
    const approved = await newest();
    const approvedText = await approved.locator('.teams').innerText();
    expect(approvedText).toMatch(/approved/i);
    expect(approvedText).toContain('setspn -D HTTP/crm.contoso.com CONTOSO\\crmweb-old');
    await approved.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/approved.png` });

    const trail = await ask(`krb approvals ${id}`, 'admin');
    const trailText = await trail.locator('.teams').innerText();
    expect(trailText).toContain('Demo engineer (playground)');
    expect(trailText).toContain('Demo admin (playground)');
    expect(trailText).toMatch(/approved/i);
  });

  it('requests a change from a Slack button too', async () => {
    const answer = await ask('krb why-401 http://crmport.contoso.com:5555');
    await answer.locator('.slack button.sk-button', { hasText: /request/i }).first().click();
    const requested = await newest();
    await expect(requested.getAttribute('data-kind')).resolves.toBe('approval');
    expect(await requested.locator('.slack').innerText()).toMatch(/Change request \S+ recorded: pending approval/);
  });
});

describe('loopback only', () => {
  it.each([['127.0.0.1', true], ['::1', true], ['::ffff:127.0.0.1', true], ['127.1.2.3', true], ['10.0.0.5', false], ['::ffff:192.168.1.4', false], ['0.0.0.0', false], [undefined, false]])('%s is loopback: %s', (a, expected) => {
    expect(isLoopback(a)).toBe(expected);
  });
});
