/**
 * Issue 11, break 4 (SSRF): from chat, why-401 probes only hosts under the forest's DNS domains
 * (read from the Samba lab) or KRBOPS_PROBE_ALLOW, and never an IP literal, a loopback, link-local
 * or metadata address unless allowed there — checked on the addresses the name RESOLVES to, too.
 * Through the real Bolt app; a listening server proves nothing was sent. The CLI is not restricted.
 */
import http from 'node:http';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { checkProbeAddresses, checkProbeHost, parseProbeAllow, specialAddressKind, type ProbePolicy } from '../../src/collectors/probe-policy.js';
import { loadConfig } from '../../src/config.js';
import { startSlackApp, type StartedSlackApp } from '../../src/surfaces/slack/index.js';
import { allText } from '../cards/slack/builders.js';
import { postSigned, slashCommandForm, startFakeSlackApi, type FakeSlackApi } from '../helpers/fake-slack-api.js';
import { labEnv, type Lab } from '../helpers/lab-env.js';

const SECRET = 'sec-ssrf-secret-0123456789abcdef';
const BOT = 'xoxb-krbops-ssrf';

let lab: Lab;
let fake: FakeSlackApi;
let strict: StartedSlackApp;
let allowing: StartedSlackApp;
let target: http.Server;
let hits = 0;
let port: number;
const saved = { ...process.env };
const REBIND = `rebind-${process.pid}`;
const METADATA = `meta-${process.pid}`;

async function ask(app: StartedSlackApp, text: string): Promise<string> {
  const r = fake.newResponseUrl();
  const res = await postSigned(app.url!, SECRET, slashCommandForm('/krb', text, r.url));
  expect(res.status).toBe(200);
  // The answer, not the "Working on it…" placeholder a slow run posts first.
  const answer = await fake.waitFor(() => fake.responsesFor(r.id).find((p) => !/Working on it/.test(String(p.body.text))), 20_000, 'the answer');
  return allText(answer.body as never);
}

beforeAll(async () => {
  lab = await labEnv();
  fake = await startFakeSlackApi({ botTokens: [BOT] });
  // One web server on the CRM host's (loopback) lab address and on 127.0.0.1: every request is counted.
  target = http.createServer((_req, res) => {
    hits++;
    res.writeHead(401, { 'www-authenticate': 'Negotiate' }).end();
  });
  await new Promise<void>((r) => target.listen(0, '0.0.0.0', r));
  port = (target.address() as net.AddressInfo).port;
  await lab.addDnsRecord(REBIND, 'A', '127.0.0.1');
  await lab.addDnsRecord(METADATA, 'A', '169.254.169.254');
  const base = { ...lab.env(), SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: BOT, SLACK_API_URL: fake.apiUrl, KRBOPS_PROBE_TIMEOUT_MS: '1500' };
  strict = await startSlackApp(loadConfig({ ...base, KRBOPS_PROBE_ALLOW: '' }), { mode: 'http', listen: { port: 0, host: '127.0.0.1' } });
  allowing = await startSlackApp(loadConfig({ ...base, KRBOPS_PROBE_ALLOW: `${lab.hosts.crm}, *.example.invalid` }), { mode: 'http', listen: { port: 0, host: '127.0.0.1' } });
  Object.assign(process.env, { ...base, KRBOPS_PROBE_ALLOW: '' });
});

afterAll(async () => {
  process.env = saved;
  await strict?.stop();
  await allowing?.stop();
  await fake?.close();
  await lab?.deleteDnsRecord(REBIND, 'A', '127.0.0.1').catch(() => undefined);
  await lab?.deleteDnsRecord(METADATA, 'A', '169.254.169.254').catch(() => undefined);
  target?.closeAllConnections();
  await new Promise((r) => target?.close(r));
});

describe('why-401 from chat (real Bolt) under the probe policy', () => {
  it.each([
    [`http://127.0.0.1:${0}/`, 'it is an IP address, a loopback address', '127.0.0.1'],
    ['http://169.254.169.254/latest/meta-data/', 'it is an IP address, a cloud metadata address', '169.254.169.254'],
    ['http://[::ffff:127.0.0.1]:PORT/', 'it is an IP address, a loopback address', '::ffff:7f00:1'],
    ['http://0x7f.1:PORT/', 'it is an IP address, a loopback address', '127.0.0.1'],
  ])('refuses the IP literal %s and names KRBOPS_PROBE_ALLOW', async (url, why, host) => {
    const before = hits;
    const t = await ask(strict, `why-401 ${url.replace(':0/', `:${port}/`).replace('PORT', String(port))}`);
    expect(t).toContain(`krbops does not probe ${host} when asked from chat: ${why}`);
    expect(t).toContain('KRBOPS_PROBE_ALLOW');
    expect(t).not.toContain('localhost');
    expect(hits).toBe(before);
  });

  it('refuses a host outside the forest\'s DNS domains, naming the domains read from the directory', async () => {
    const t = await ask(strict, 'why-401 http://intranet.example.org/');
    expect(t).toContain("it is not under the forest's DNS domains (contoso.test)");
    expect(t).toContain('add intranet.example.org to KRBOPS_PROBE_ALLOW');
  });

  it('refuses a name under the domain that resolves to 127.0.0.1 (DNS rebinding), after resolving it', async () => {
    const before = hits;
    const t = await ask(strict, `why-401 http://${REBIND}.contoso.test:${port}/`);
    expect(t).toContain(`resolves to 127.0.0.1, a loopback address`);
    expect(t).toContain('add 127.0.0.1 to KRBOPS_PROBE_ALLOW');
    expect(hits).toBe(before);
  });

  it('refuses a name under the domain that resolves to the cloud metadata address', async () => {
    const t = await ask(strict, `why-401 http://${METADATA}.contoso.test/`);
    expect(t).toContain('resolves to 169.254.169.254, a cloud metadata address');
  });

  it('refuses the lab\'s CRM host (on a loopback address) until its address is allowed, then probes it', async () => {
    const before = hits;
    const refused = await ask(strict, `why-401 http://crm.contoso.test:${port}/`);
    expect(refused).toContain(`resolves to ${lab.hosts.crm}, a loopback address`);
    expect(hits).toBe(before);
    const answered = await ask(allowing, `why-401 http://crm.contoso.test:${port}/`);
    expect(answered).toContain('crmweb2');
    expect(hits).toBe(before + 1);
  });

  it('still refuses the rebinding name when only the CRM address is allowed', async () => {
    const t = await ask(allowing, `why-401 http://${REBIND}.contoso.test:${port}/`);
    expect(t).toContain('resolves to 127.0.0.1, a loopback address');
  });
});

describe('the CLI (an operator) is not restricted', () => {
  it('probes 127.0.0.1 with KRBOPS_PROBE_ALLOW empty', async () => {
    const before = hits;
    let out = '';
    const code = await main(['krb', 'why-401', `http://127.0.0.1:${port}/`, '--json'], { out: (s) => (out += s), err: () => undefined });
    expect(code).toBe(0);
    expect(JSON.parse(out).url).toBe(`http://127.0.0.1:${port}/`);
    expect(hits).toBe(before + 1);
  });
});

describe('the policy module', () => {
  const policy = (allow: string, forestDomains = ['contoso.com']): ProbePolicy => ({ requester: 'chat', allow: parseProbeAllow(allow), forestDomains });

  it('classifies special addresses, IPv4-mapped forms included, and leaves private ones alone', () => {
    expect(specialAddressKind('127.8.9.10')).toBe('a loopback address');
    expect(specialAddressKind('::ffff:a9fe:a9fe')).toBe('a cloud metadata address');
    expect(specialAddressKind('fe80::1')).toBe('a link-local address');
    expect(specialAddressKind('0.0.0.0')).toBe('an unspecified address');
    expect(specialAddressKind('10.1.2.3')).toBeUndefined();
    expect(specialAddressKind('192.168.1.10')).toBeUndefined();
  });

  it('allows names under the forest and *.patterns, addresses only by address or range', () => {
    expect(() => checkProbeHost(policy(''), 'crm.contoso.com')).not.toThrow();
    expect(() => checkProbeHost(policy(''), 'crm.contoso.com.evil.org')).toThrow(/not under the forest/);
    expect(() => checkProbeHost(policy('*.corp.example'), 'a.b.corp.example')).not.toThrow();
    expect(() => checkProbeHost(policy('10.0.0.0/8'), '10.9.9.9')).not.toThrow();
    expect(() => checkProbeAddresses(policy('127.77.0.0/16'), 'x.contoso.com', ['127.77.3.4'])).not.toThrow();
    expect(() => checkProbeAddresses(policy('127.77.0.0/16'), 'x.contoso.com', ['127.77.3.4', '127.0.0.1'])).toThrow(/127\.0\.0\.1/);
    expect(() => checkProbeAddresses(policy(''), 'x.contoso.com', [])).toThrow(/no address/);
    expect(() => checkProbeAddresses({ ...policy(''), requester: 'operator' }, 'x', ['169.254.169.254'])).not.toThrow();
  });

  it('refuses a malformed KRBOPS_PROBE_ALLOW at start, naming the variable', () => {
    expect(() => loadConfig({ KRBOPS_PROBE_ALLOW: 'crm;rm -rf' })).toThrow(/KRBOPS_PROBE_ALLOW: "crm;rm -rf" is not a host name/);
    expect(() => loadConfig({ KRBOPS_PROBE_ALLOW: '10.0.0.0/33' })).toThrow(/KRBOPS_PROBE_ALLOW/);
  });
});

describe('a name without an address in DNS, from chat', () => {
  it('is diagnosed without an HTTP probe (the probe never resolves the name itself)', async () => {
    const t = await ask(strict, 'why-401 http://nothere.contoso.test/');
    expect(t).toContain('not probed from chat: DNS gave no address for nothere.contoso.test');
    expect(t).not.toContain('getaddrinfo');
  });
});

describe('from chat when the directory does not answer', () => {
  it('refuses a name (no forest domain is known) and says why', async () => {
    const s = await import('node:net');
    const srv = s.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const dead = (srv.address() as net.AddressInfo).port;
    await new Promise((r) => srv.close(r));
    const down = await startSlackApp(loadConfig({ ...lab.env(), LDAP_URL: `ldaps://127.0.0.1:${dead}`, KRBOPS_PROBE_ALLOW: '', SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: BOT, SLACK_API_URL: fake.apiUrl }), { mode: 'http', listen: { port: 0, host: '127.0.0.1' } });
    try {
      const t = await ask(down, `why-401 http://crm.contoso.test:${port}/`);
      expect(t).toContain("not under the forest's DNS domains (the directory did not answer)");
      expect(t).toContain('KRBOPS_PROBE_ALLOW');
    } finally {
      await down.stop();
    }
  });
});
