/**
 * Issue 11, breaks 1 and 5: hostile values are refused when the command is parsed, before any I/O,
 * through the real Bolt app (fake Slack cloud) and the real CLI, against the Samba lab:
 *  - an SPN starting with "-" (`--backend=-c/tmp/x` became a kvno option), a change request for one;
 *  - a host that is not a DNS name or an IP literal (`crm&calc&`, `$(id)`, back-ticks);
 *  - a user name and password in the URL are removed from the reply, the fix and the logs, with a note.
 * And `--` ends the options of every child process (kinit, kvno), proven with recording stubs.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normaliseChanges } from '../../src/approvals/changes.js';
import { main } from '../../src/cli.js';
import { collectKdc } from '../../src/collectors/kdc.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { startSlackApp, type StartedSlackApp } from '../../src/surfaces/slack/index.js';
import { allText } from '../cards/slack/builders.js';
import { postSigned, slashCommandForm, startFakeSlackApi, type FakeSlackApi } from '../helpers/fake-slack-api.js';
import { labEnv, type Lab } from '../helpers/lab-env.js';

const SECRET = 'sec-signing-secret-0123456789abcdef';
const BOT = 'xoxb-krbops-sec';

let lab: Lab;
let fake: FakeSlackApi;
let app: StartedSlackApp;
let iis: http.Server;
let port: number;
let logText = '';
const dir = mkdtempSync(path.join(tmpdir(), 'krbops-sec-'));
const saved = { ...process.env };

async function ask(text: string): Promise<string> {
  const r = fake.newResponseUrl();
  const res = await postSigned(app.url!, SECRET, slashCommandForm('/krb', text, r.url));
  expect(res.status).toBe(200);
  // The answer, not the "Working on it…" placeholder a slow run posts first.
  const answer = await fake.waitFor(() => fake.responsesFor(r.id).find((p) => !/Working on it/.test(String(p.body.text))), 20_000, 'the answer');
  return allText(answer.body as never);
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

beforeAll(async () => {
  lab = await labEnv();
  fake = await startFakeSlackApi({ botTokens: [BOT] });
  iis = http.createServer((_req, res) => {
    res.writeHead(401, { 'www-authenticate': ['Negotiate', 'NTLM'], server: 'Microsoft-IIS/10.0' });
    res.end();
  });
  await new Promise<void>((r) => iis.listen(0, lab.hosts.crm, r));
  port = (iis.address() as net.AddressInfo).port;
  const sink = new Writable({ write: (c, _e, cb) => ((logText += String(c)), cb()) });
  const env = { ...lab.env(), KRBOPS_PROBE_ALLOW: `${lab.hosts.crm}`, SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: BOT, SLACK_API_URL: fake.apiUrl };
  app = await startSlackApp(loadConfig(env), { mode: 'http', listen: { port: 0, host: '127.0.0.1' }, log: createLogger('debug', sink) });
  Object.assign(process.env, env);
});

afterAll(async () => {
  process.env = saved;
  await app?.stop();
  await fake?.close();
  iis?.closeAllConnections();
  await new Promise((r) => iis?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('an SPN starting with "-" (break 1)', () => {
  it('is refused from chat before kvno runs, and no credential cache is written', async () => {
    const cc = path.join(dir, 'chosen-ccache');
    const t = await ask(`why-401 http://crm.contoso.test:${port}/ --backend=-c${cc}`);
    expect(t).toContain('is not a valid SPN: it starts with "-"');
    expect(t).not.toContain('setspn');
    expect(existsSync(cc)).toBe(false);
  });

  it('is refused by the CLI with exit code 2', async () => {
    const { code, err } = await cli('krb', 'why-401', `http://crm.contoso.test:${port}/`, '--backend=-c/tmp/x');
    expect(code).toBe(2);
    expect(err).toContain('starts with "-"');
  });

  it('cannot be recorded as a change request', () => {
    expect(() => normaliseChanges([{ action: 'remove', spn: '-c/tmp/x', account: 'crmweb' }])).toThrow(/starts with "-"/);
  });

  it('never reaches kinit or kvno as an option: "--" ends their options', async () => {
    const bin = path.join(dir, 'bin');
    const record = path.join(dir, 'argv.log');
    rmSync(bin, { recursive: true, force: true });
    for (const tool of ['kinit', 'kvno']) {
      const f = path.join(bin, tool);
      mkdirSync(bin, { recursive: true });
      // kinit writes the cache it is given (the helper copies it for kvno); kvno only records.
      const cache = tool === 'kinit' ? ': > "${KRB5CCNAME#FILE:}"\n' : '';
      writeFileSync(f, `#!/bin/sh\n${cache}printf '%s' "${tool}" >> '${record}'\nfor a in "$@"; do printf ' [%s]' "$a" >> '${record}'; done\necho >> '${record}'\nexit 0\n`);
      chmodSync(f, 0o755);
    }
    await collectKdc(['HTTP/crm.contoso.test'], { principal: 'krbops-reader@CONTOSO.TEST', password: 'x' }, { binDir: bin });
    await collectKdc(['HTTP/crm.contoso.test'], { principal: 'krbops-reader@CONTOSO.TEST', keytab: '/etc/krb5.keytab' }, { binDir: bin });
    expect(readFileSync(record, 'utf8').trim().split('\n')).toEqual([
      'kinit [--] [krbops-reader@CONTOSO.TEST]',
      'kvno [--] [HTTP/crm.contoso.test]',
      'kinit [-k] [-t] [/etc/krb5.keytab] [--] [krbops-reader@CONTOSO.TEST]',
      'kvno [--] [HTTP/crm.contoso.test]',
    ]);
  });
});

describe('a host that is not a DNS name or an IP literal (break 2, parse time)', () => {
  const hostile = ['http://crm&calc&.contoso.test/', 'http://$(touch${IFS}pwned).contoso.test/', 'http://crm`id`.contoso.test/', 'http://crm%0aid.contoso.test/', 'http://%PATH%.contoso.test/'];

  it.each(hostile)('refuses %s from chat with a pointer to the usage and no command', async (url) => {
    const t = await ask(`why-401 ${url}`);
    expect(t).toMatch(/is not (a host name|a URL)/);
    expect(t).toContain('`/krb help`');
    expect(t).not.toMatch(/setspn|curl/);
  });

  it.each([...hostile, "http://crm'x'.contoso.test/"])('refuses %s on the CLI with exit code 2 and the usage', async (url) => {
    const { code, err, out } = await cli('krb', 'why-401', url);
    expect(code).toBe(2);
    expect(err).toMatch(/is not (a host name|a URL)/);
    expect(err).toContain('Usage: krb why-401 <url>');
    expect(out).toBe('');
  });

  it('accepts an internationalised name as punycode and an IP literal', async () => {
    const { code, out } = await cli('krb', 'why-401', `http://${lab.hosts.crm}:${port}/`, '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out).url).toBe(`http://${lab.hosts.crm}:${port}/`);
    const idn = await cli('krb', 'why-401', 'http://bücher.contoso.test/', '--json');
    expect(idn.code).toBe(0);
    expect(JSON.parse(idn.out).url).toBe('http://xn--bcher-kva.contoso.test/');
  });
});

describe('a password in the URL (break 5)', () => {
  it('is removed from the chat reply, the fix commands and the logs, with a note', async () => {
    logText = '';
    const t = await ask(`why-401 http://alice:S3cretPw@crm.contoso.test:${port}/`);
    expect(t).toContain(`http://crm.contoso.test:${port}/`);
    expect(t).toContain('user name and password in the URL were removed');
    expect(t).not.toContain('S3cretPw');
    expect(t).not.toContain('alice');
    expect(logText.length).toBeGreaterThan(0);
    expect(logText).not.toContain('S3cretPw');
  });

  it('is removed from the CLI answer and from the error for a URL that does not parse', async () => {
    const ok = await cli('krb', 'why-401', `http://alice:S3cretPw@crm.contoso.test:${port}/`, '--json');
    expect(ok.code).toBe(0);
    expect(ok.out).not.toContain('S3cretPw');
    expect(JSON.parse(ok.out).inferred.join(' ')).toContain('were removed');
    const bad = await cli('krb', 'why-401', 'http://alice:S3cretPw@bad host/');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('"http://bad host/" is not a URL');
    expect(bad.err).not.toContain('S3cretPw');
  });
});
