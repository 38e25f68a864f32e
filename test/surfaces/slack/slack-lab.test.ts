/**
 * The real Bolt app answering from the Samba AD lab (test/lab), with Slack's cloud replaced by
 * test/helpers/fake-slack-api.ts. Requests are signed exactly as Slack signs them.
 */
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkMessage } from '../../../cards/slack/index.js';
import { loadConfig } from '../../../src/config.js';
import { startSlackApp, type StartedSlackApp } from '../../../src/surfaces/slack/index.js';
import { allText } from '../../cards/slack/builders.js';
import { postSigned, slashCommandForm, startFakeSlackApi, type FakeSlackApi, type ResponsePost } from '../../helpers/fake-slack-api.js';
import { labEnv, type Lab } from '../../helpers/lab-env.js';

const SECRET = 'lab-signing-secret-fedcba9876543210';
const BOT = 'xoxb-krbops-lab';

let lab: Lab;
let fake: FakeSlackApi;
let app: StartedSlackApp;

async function ask(a: StartedSlackApp, command: string, text: string): Promise<{ ms: number; status: number; answers: ResponsePost[] }> {
  const r = fake.newResponseUrl();
  const res = await postSigned(a.url!, SECRET, slashCommandForm(command, text, r.url));
  const answers = await fake.waitForResponses(r.id, 1, 20_000);
  return { ms: res.ms, status: res.status, answers };
}

/** The last post to a response_url is the answer (an earlier one may be "Working on it…"). */
const final = (posts: ResponsePost[]) => posts[posts.length - 1].body as { response_type?: string; text: string; blocks: unknown[] };

beforeAll(async () => {
  lab = await labEnv();
  fake = await startFakeSlackApi({ botTokens: [BOT] });
  const config = loadConfig({ ...lab.env(), SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: BOT, SLACK_API_URL: fake.apiUrl });
  app = await startSlackApp(config, { mode: 'http', listen: { port: 0, host: '127.0.0.1' } });
});

afterAll(async () => {
  await app?.stop();
  await fake?.close();
});

describe('Slack answers from the Samba AD lab', () => {
  it('lists the SPNs of the CRM service account, privately, within Block Kit limits', async () => {
    const { status, ms, answers } = await ask(app, '/spn', 'list crmweb');
    expect(status).toBe(200);
    expect(ms).toBeLessThan(3000);
    const answer = final(answers);
    expect(answer.response_type).toBe('ephemeral');
    expect(checkMessage(answer)).toEqual([]);
    const t = allText(answer);
    for (const spn of ['HTTP/crm', 'HTTP/crm.contoso.test', 'HTTP/ndcrmsrv1', 'HTTP/ndcrmsrv1.contoso.test']) expect(t).toContain(`\`${spn}\``);
    expect(t).toContain('CN=crmweb,OU=Service Accounts,DC=contoso,DC=test');
    expect(t).toContain(lab.ldapsUrl);
  });

  it('finds the duplicate HTTP/crm.contoso.test of the scenario with /spn query', async () => {
    const { answers } = await ask(app, '/spn', 'query HTTP/crm.contoso.test');
    const answer = final(answers);
    expect(checkMessage(answer)).toEqual([]);
    const t = allText(answer);
    expect(t).toContain('*Duplicate:*');
    expect(t).toContain('*crmweb*');
    expect(t).toContain('*crmweb2*');
  });

  it('answers an LDAP injection string with a harmless "not found"', async () => {
    const { answers } = await ask(app, '/spn', 'list *)(objectClass=*');
    const answer = final(answers);
    expect(checkMessage(answer)).toEqual([]);
    const t = allText(answer);
    expect(t).toContain('No account matches `*)(objectClass=*`');
    expect(t).not.toContain('CN=');
  });

  it('lists the scenario\'s duplicates with /spn dupes', async () => {
    const { answers } = await ask(app, '/spn', 'dupes');
    const answer = final(answers);
    expect(checkMessage(answer)).toEqual([]);
    expect(allText(answer)).toContain('`HTTP/crm.contoso.test`');
  });
});

describe('/krb why-401 on the lab scenario', () => {
  let iis: http.Server;
  let url: string;
  beforeAll(async () => {
    // The CRM site's answer to an anonymous request, as IIS gives it with Windows authentication on.
    iis = http.createServer((_req, res) => {
      res.writeHead(401, { 'www-authenticate': ['Negotiate', 'NTLM'], server: 'Microsoft-IIS/10.0', date: new Date().toUTCString(), 'content-type': 'text/html' });
      res.end('401 - Unauthorized: Access is denied due to invalid credentials.');
    });
    await new Promise<void>((r) => iis.listen(0, lab.hosts.crm, r));
    url = `http://crm.contoso.test:${(iis.address() as net.AddressInfo).port}/`;
  });
  afterAll(async () => {
    iis?.closeAllConnections();
    await new Promise((r) => iis?.close(r));
  });

  it('names the duplicate SPN, with evidence, fix and a request button, within limits', async () => {
    const { status, ms, answers } = await ask(app, '/krb', `why-401 ${url}`);
    expect(status).toBe(200);
    expect(ms).toBeLessThan(3000);
    const answer = final(answers);
    expect(answer.response_type).toBe('ephemeral');
    expect(checkMessage(answer)).toEqual([]);
    const blocks = answer.blocks as any[];
    expect(blocks[0].type).toBe('header');
    const t = allText(answer);
    expect(t).toContain('crmweb2');
    expect(t).toMatch(/setspn -D HTTP\/crm\.contoso\.test/);
    expect(t).toContain(':stopwatch:');
    const buttons = blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []));
    expect(buttons.length).toBeGreaterThan(0);
    for (const b of buttons) expect(b.action_id.length).toBeLessThanOrEqual(255);
  });

  it('posts the answer in the channel with --share', async () => {
    const { answers } = await ask(app, '/krb', `why-401 ${url} --share`);
    const answer = final(answers);
    expect(answer.response_type).toBe('in_channel');
    expect(allText(answer)).toContain('crmweb2');
  });
});

describe('Slack when the directory is down', () => {
  it('names the domain controller and the reason', async () => {
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as net.AddressInfo).port;
    await new Promise((r) => s.close(r));
    const dead = `ldaps://127.0.0.1:${port}`;
    const config = loadConfig({ ...lab.env(), LDAP_URL: dead, SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: BOT, SLACK_API_URL: fake.apiUrl });
    const down = await startSlackApp(config, { mode: 'http', listen: { port: 0, host: '127.0.0.1' } });
    try {
      const { answers } = await ask(down, '/spn', 'list crmweb');
      const answer = final(answers);
      expect(checkMessage(answer)).toEqual([]);
      const t = allText(answer);
      expect(t).toContain('No domain controller answered');
      expect(t).toContain(`127.0.0.1:${port}`);
      expect(t).toMatch(/refused|ECONNREFUSED/i);
    } finally {
      await down.stop();
    }
  });
});
