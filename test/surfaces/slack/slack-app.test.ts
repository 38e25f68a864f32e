/**
 * The real Bolt app on loopback; only Slack's cloud is replaced (test/helpers/fake-slack-api.ts).
 * Directory-backed answers are in slack-lab.test.ts; here the commands that need no directory,
 * plus small test commands that are slow, large or broken on purpose.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkMessage, decodeChangeRef, REQUEST_CHANGE_ACTION, spnListCard, why401Card } from '../../../cards/slack/index.js';
import type { SpnListResult } from '../../../src/model/index.js';
import { commands as registry } from '../../../commands/index.js';
import type { AnyCommand, CommandSpec } from '../../../commands/types.js';
import { loadConfig, type Config } from '../../../src/config.js';
import { ConfigError } from '../../../src/errors.js';
import { startSlackApp, type ChangeRequestPort, type CommandObservation, type StartedSlackApp } from '../../../src/surfaces/slack/index.js';
import { anAccount, aWhy401 } from '../../cards/slack/builders.js';
import { allText } from '../../cards/slack/builders.js';
import { buttonClickForm, postRaw, postSigned, slashCommandForm, startFakeSlackApi, type FakeSlackApi } from '../../helpers/fake-slack-api.js';

const SECRET = 'test-signing-secret-0123456789abcdef';
const BOT = 'xoxb-krbops-test';

let runs = 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const listResult = (spns: string[]): SpnListResult => ({ kind: 'spn-list', server: 'ldaps://dc1.contoso.test:636', account: anAccount({ servicePrincipalName: spns }), spns });
const testCommand = (path: string[], run: () => Promise<{ kind: string }>): AnyCommand =>
  ({ path, summary: `test command ${path.join(' ')}`, positionals: [], options: [], examples: [], defaultVisibility: 'ephemeral', run }) satisfies CommandSpec;
const testCommands: AnyCommand[] = [
  testCommand(['krb', 'count'], async () => {
    runs++;
    return listResult(['HTTP/counted']);
  }),
  testCommand(['krb', 'slow'], async () => {
    await sleep(900);
    return listResult(['HTTP/slow.contoso.test']);
  }),
  testCommand(['krb', 'big'], async () => listResult(Array.from({ length: 3000 }, (_, i) => `HTTP/web-${i}.contoso.test`))),
  testCommand(['krb', 'boom'], async () => {
    throw new TypeError("Cannot read properties of undefined (reading 'dn')");
  }),
  testCommand(['krb', 'finding'], async () => aWhy401()),
];

let fake: FakeSlackApi;
let app: StartedSlackApp;
let config: Config;
const requested: Parameters<ChangeRequestPort['requestChange']>[0][] = [];
const observed: CommandObservation[] = [];
let approvalsEnabled = false;

async function slash(command: string, text: string, o: { timestamp?: number; signature?: string } = {}) {
  const r = fake.newResponseUrl();
  const res = await postSigned(app.url!, SECRET, slashCommandForm(command, text, r.url), o);
  return { ...res, responseId: r.id };
}

beforeAll(async () => {
  fake = await startFakeSlackApi({ botTokens: [BOT] });
  config = loadConfig({ SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: BOT, SLACK_API_URL: fake.apiUrl });
  app = await startSlackApp(config, {
    mode: 'http',
    listen: { port: 0, host: '127.0.0.1' },
    commands: [...registry, ...testCommands],
    workingAfterMs: 300,
    retryConfig: { retries: 2, minTimeout: 10, maxTimeout: 50 },
    observe: (o) => observed.push(o),
    approvals: {
      async requestChange(input) {
        if (!approvalsEnabled) throw new Error('not under test');
        requested.push(input);
        return { id: `CR-${requested.length}`, status: 'pending', changes: input.changes, next: 'Waiting for an approver in #krbops-admins.' };
      },
    },
  });
});

afterAll(async () => {
  await app?.stop();
  await fake?.close();
});

describe('Slack slash commands over HTTP (real Bolt, fake Slack cloud)', () => {
  it('checks the bot token with auth.test at start', () => {
    expect(fake.callsOf('auth.test')[0]).toMatchObject({ authorization: `Bearer ${BOT}`, status: 200 });
  });

  it('acknowledges at once and answers /krb help through the response_url', async () => {
    const r = await slash('/krb', 'help');
    expect(r.status).toBe(200);
    expect(r.ms).toBeLessThan(3000);
    const [answer] = await fake.waitForResponses(r.responseId);
    expect(answer.body.response_type).toBe('ephemeral');
    expect(checkMessage(answer.body as never)).toEqual([]);
    const t = allText(answer.body as never);
    expect(t).toContain('`/spn list &lt;account&gt;`');
    expect(t).toContain('`/spn list crmweb`');
    expect(t).toContain('--share');
  });

  it('answers an empty /spn with the SPN commands only', async () => {
    const r = await slash('/spn', '');
    const [answer] = await fake.waitForResponses(r.responseId);
    const t = allText(answer.body as never);
    expect(t).toContain('/spn query');
    expect(t).not.toContain('/krb why-401 http');
  });

  it('refuses a wrong signature with 401 and runs nothing', async () => {
    const before = runs;
    const r = await slash('/krb', 'count', { signature: 'v0=' + '0'.repeat(64) });
    expect(r.status).toBe(401);
    await sleep(400);
    expect(fake.responsesFor(r.responseId)).toEqual([]);
    expect(runs).toBe(before);
  });

  it('refuses a request signed with another secret', async () => {
    const rr = fake.newResponseUrl();
    const r = await postSigned(app.url!, SECRET, slashCommandForm('/krb', 'count', rr.url), { signWith: 'someone-elses-secret' });
    expect(r.status).toBe(401);
  });

  it('refuses a stale timestamp (older than five minutes) with 401 and runs nothing', async () => {
    const before = runs;
    const r = await slash('/krb', 'count', { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(r.status).toBe(401);
    await sleep(400);
    expect(fake.responsesFor(r.responseId)).toEqual([]);
    expect(runs).toBe(before);
  });

  it('refuses a timestamp in the future', async () => {
    const r = await slash('/krb', 'count', { timestamp: Math.floor(Date.now() / 1000) + 10 * 60 });
    expect(r.status).toBe(401);
  });

  it('runs a replayed request only once', async () => {
    const before = runs;
    const first = await slash('/krb', 'count');
    expect(first.status).toBe(200);
    await fake.waitForResponses(first.responseId);
    const replay = await postRaw(app.url!, first.sent.body, first.sent.headers);
    expect(replay.status).toBe(401);
    await sleep(300);
    expect(fake.responsesFor(first.responseId)).toHaveLength(1);
    expect(runs).toBe(before + 1);
  });

  it('answers a 10 000-character argument with the usage, not an echo', async () => {
    const r = await slash('/spn', `list ${'a'.repeat(10_000)}`);
    expect(r.status).toBe(200);
    expect(r.ms).toBeLessThan(3000);
    const [answer] = await fake.waitForResponses(r.responseId);
    expect(checkMessage(answer.body as never)).toEqual([]);
    const t = allText(answer.body as never);
    expect(t).toContain('10000 characters long; the limit is 2048');
    expect(t).toContain('Usage: /spn list &lt;account&gt;');
    expect(JSON.stringify(answer.body)).not.toContain('a'.repeat(300));
  });

  it('answers missing and unknown arguments with the usage', async () => {
    const missing = await slash('/spn', 'list');
    const unknown = await slash('/spn', 'frobnicate everything');
    const extra = await slash('/spn', 'list crmweb --bogus');
    const [m] = await fake.waitForResponses(missing.responseId);
    const [u] = await fake.waitForResponses(unknown.responseId);
    const [x] = await fake.waitForResponses(extra.responseId);
    expect(allText(m.body as never)).toContain('Missing &lt;account&gt;');
    expect(allText(u.body as never)).toContain('Unknown command');
    expect(allText(u.body as never)).toContain('spn list');
    expect(allText(x.body as never)).toContain('bogus');
    for (const a of [m, u, x]) expect(a.body.response_type).toBe('ephemeral');
  });

  it('explains a pasted Kerberos error with /krb explain', async () => {
    const r = await slash('/krb', 'explain The kerberos client received a KRB_AP_ERR_MODIFIED error from the server host/ndcrmsrv1');
    const [answer] = await fake.waitForResponses(r.responseId);
    expect(checkMessage(answer.body as never)).toEqual([]);
    expect(allText(answer.body as never)).toContain('KRB_AP_ERR_MODIFIED');
  });

  it('says plainly that the directory is not configured', async () => {
    const r = await slash('/spn', 'list crmweb');
    const [answer] = await fake.waitForResponses(r.responseId);
    expect(allText(answer.body as never)).toContain('krbops is not configured for this');
    expect(allText(answer.body as never)).toContain('LDAP_URL');
  });

  it('says "Working on it…" for a slow command, then replaces it with the answer', async () => {
    const r = await slash('/krb', 'slow');
    const [working, final] = await fake.waitForResponses(r.responseId, 2);
    expect(allText(working.body as never)).toContain('Working on it…');
    expect(final.body.replace_original).toBe(true);
    expect(allText(final.body as never)).toContain('HTTP/slow.contoso.test');
    expect(final.at - working.at).toBeGreaterThan(300);
  });

  it('answers a fast command without a "Working on it…" message', async () => {
    const r = await slash('/krb', 'count');
    await fake.waitForResponses(r.responseId);
    await sleep(400);
    const all = fake.responsesFor(r.responseId);
    expect(all).toHaveLength(1);
    expect(all[0].body.replace_original).toBe(false);
  });

  it('posts in the channel with --share', async () => {
    const r = await slash('/krb', 'count --share');
    const [answer] = await fake.waitForResponses(r.responseId);
    expect(answer.body.response_type).toBe('in_channel');
  });

  it('keeps a failure private even with --share', async () => {
    const r = await slash('/krb', 'boom --share');
    const [answer] = await fake.waitForResponses(r.responseId);
    expect(answer.body.response_type).toBe('ephemeral');
  });

  it('never shows an internal error, only a reference to the log', async () => {
    const r = await slash('/krb', 'boom');
    const [answer] = await fake.waitForResponses(r.responseId);
    const t = JSON.stringify(answer.body);
    expect(t).toContain('Something went wrong inside krbops');
    expect(t).not.toContain('Cannot read properties');
    expect(t).not.toMatch(/\bat .*\.ts:\d+/);
    expect(observed.some((o) => o.command === 'krb boom' && o.outcome === 'error' && o.code === 'INTERNAL')).toBe(true);
  });

  it('sends a long private answer as a summary plus follow-ups, each within limits', async () => {
    const r = await slash('/krb', 'big');
    const posts = await fake.waitFor(() => {
      const p = fake.responsesFor(r.responseId);
      return p.length >= 2 && p;
    });
    await sleep(300);
    const all = fake.responsesFor(r.responseId);
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(all.length).toBeLessThanOrEqual(5); // Slack accepts five posts per response_url
    for (const p of all) {
      expect(checkMessage(p.body as never)).toEqual([]);
      expect(p.body.response_type).toBe('ephemeral');
    }
    expect(allText(posts[0].body as never)).toMatch(/more SPNs: the full list follows/);
  });

  it('threads the full list under a shared answer, retrying a rate-limited chat.postMessage after Retry-After', async () => {
    const expectedReplies = spnListCard(listResult(Array.from({ length: 3000 }, (_, i) => `HTTP/web-${i}.contoso.test`))).followUps.length;
    expect(expectedReplies).toBeGreaterThan(0);
    const before = fake.callsOf('chat.postMessage').length;
    fake.rateLimitNext('chat.postMessage', 1);
    const r = await slash('/krb', 'big --share');
    const calls = await fake.waitFor(() => {
      const c = fake.callsOf('chat.postMessage').slice(before);
      return c.length >= 2 + expectedReplies && c;
    }, 15_000);
    const [limited, main, ...replies] = calls;
    expect(limited.status).toBe(429);
    expect(main.status).toBe(200);
    expect(main.at - limited.at).toBeGreaterThanOrEqual(1000);
    expect(main.body).toMatchObject({ channel: 'CINCIDENT' });
    expect(main.body.thread_ts).toBeUndefined();
    expect(allText(main.body as never)).toMatch(/more SPNs: the full list follows/);
    expect(replies).toHaveLength(expectedReplies);
    for (const reply of replies) expect(reply.body).toMatchObject({ channel: 'CINCIDENT', thread_ts: main.reply.ts });
    for (const c of [main, ...replies]) expect(checkMessage(c.body as never)).toEqual([]);
    expect(fake.responsesFor(r.responseId)).toEqual([]);
  });

  it('retries a rate-limited response_url after Retry-After', async () => {
    fake.rateLimitNext('response_url', 1);
    const r = await slash('/krb', 'count');
    const [first, second] = await fake.waitForResponses(r.responseId, 2, 10_000);
    expect(first.status).toBe(429);
    expect(second.status).toBe(200);
    expect(second.at - first.at).toBeGreaterThanOrEqual(1000);
  });
});

describe('the "Request this change" button', () => {
  async function clickFrom(command: string) {
    const r = await slash('/krb', command);
    const [answer] = await fake.waitForResponses(r.responseId);
    const button = (answer.body.blocks as any[]).flatMap((b) => (b.type === 'actions' ? b.elements : [])).find((e: any) => e.action_id.startsWith(REQUEST_CHANGE_ACTION));
    expect(button).toBeDefined();
    const click = fake.newResponseUrl();
    const res = await postSigned(app.url!, SECRET, buttonClickForm(button.action_id, button.value, click.url));
    expect(res.status).toBe(200);
    const [reply] = await fake.waitForResponses(click.id);
    return { button, reply };
  }

  it('records the request through the approvals flow and says so', async () => {
    approvalsEnabled = true;
    const { button, reply } = await clickFrom('finding');
    expect(allText(reply.body as never)).toContain('Change request `CR-1` recorded* (pending)');
    expect(allText(reply.body as never)).toContain('Waiting for an approver in #krbops-admins.');
    expect(reply.body.response_type).toBe('ephemeral');
    expect(requested[0]).toMatchObject({
      finding: { ruleId: 'spn-missing-fqdn', subject: 'HTTP/crm.contoso.test', title: 'The FQDN form of the HTTP SPN is missing' },
      url: 'http://crm.contoso.test/',
      requester: { surface: 'slack', id: 'UONCALL' },
      channelId: 'CINCIDENT',
      changes: decodeChangeRef(button.value)!.changes,
    });
  });

  it('says that nothing was recorded when the approvals flow fails, without its internals', async () => {
    approvalsEnabled = false;
    const { reply } = await clickFrom('finding');
    const t = JSON.stringify(reply.body);
    expect(t).toContain('Something went wrong inside krbops');
    expect(t).not.toContain('not under test');
  });

  it('refuses a button value krbops did not produce', async () => {
    const click = fake.newResponseUrl();
    await postSigned(app.url!, SECRET, buttonClickForm(`${REQUEST_CHANGE_ACTION}:0:0`, '{"v":1,"r":"x","c":[["*","",""]]}', click.url));
    const [reply] = await fake.waitForResponses(click.id);
    expect(allText(reply.body as never)).toContain('nothing was recorded');
  });

  it('ignores a forged click (bad signature)', async () => {
    const click = fake.newResponseUrl();
    const value = why401Card(aWhy401()).blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []))[0].value!;
    const res = await postSigned(app.url!, SECRET, buttonClickForm(`${REQUEST_CHANGE_ACTION}:0:0`, value, click.url), { signWith: 'forged' });
    expect(res.status).toBe(401);
    await sleep(300);
    expect(fake.responsesFor(click.id)).toEqual([]);
  });
});

describe('the Slack app without approvals', () => {
  it('answers the button honestly: change requests are not enabled, nothing recorded', async () => {
    const f = await startFakeSlackApi({ botTokens: [BOT] });
    const cfg = loadConfig({ SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: BOT, SLACK_API_URL: f.apiUrl });
    const a = await startSlackApp(cfg, { mode: 'http', listen: { port: 0, host: '127.0.0.1' }, commands: testCommands });
    try {
      const value = why401Card(aWhy401()).blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []))[0].value!;
      const click = f.newResponseUrl();
      await postSigned(a.url!, SECRET, buttonClickForm(`${REQUEST_CHANGE_ACTION}:0:0`, value, click.url));
      const [reply] = await f.waitForResponses(click.id);
      const t = allText(reply.body as never);
      expect(t).toContain('Change requests are not enabled on this krbops, so nothing was recorded');
      expect(t).toContain('setspn -S HTTP/crm.contoso.test CONTOSO\\svc-crmweb');
    } finally {
      await a.stop();
      await f.close();
    }
  });

  it('refuses to start when Slack rejects the bot token, naming the variable', async () => {
    const f = await startFakeSlackApi({ botTokens: ['xoxb-the-right-one'] });
    try {
      const cfg = loadConfig({ SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: 'xoxb-wrong', SLACK_API_URL: f.apiUrl });
      const err = await startSlackApp(cfg, { mode: 'http', listen: { port: 0, host: '127.0.0.1' } }).catch((e) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.message).toBe('SLACK_BOT_TOKEN: Slack refused the token (invalid_auth)');
    } finally {
      await f.close();
    }
  });

  it('requires the signing secret in HTTP mode', async () => {
    const cfg = loadConfig({ SLACK_BOT_TOKEN: BOT });
    await expect(startSlackApp(cfg, { mode: 'http', listen: { port: 0, host: '127.0.0.1' } })).rejects.toThrow(/SLACK_SIGNING_SECRET/);
  });
});

describe('Socket Mode', () => {
  it('connects without any inbound HTTP and answers a slash command envelope', async () => {
    const f = await startFakeSlackApi({ botTokens: [BOT], appToken: 'xapp-krbops-test' });
    const cfg = loadConfig({ SLACK_APP_TOKEN: 'xapp-krbops-test', SLACK_BOT_TOKEN: BOT, SLACK_API_URL: f.apiUrl });
    const a = await startSlackApp(cfg, { commands: [...registry, ...testCommands] });
    try {
      expect(a.mode).toBe('socket');
      expect(a.url).toBeUndefined();
      expect(f.callsOf('apps.connections.open')[0]).toMatchObject({ authorization: 'Bearer xapp-krbops-test' });
      const r = f.newResponseUrl();
      const t0 = Date.now();
      const ack = await f.sendEnvelope('slash_commands', slashCommandForm('/krb', 'count', r.url));
      expect(Date.now() - t0).toBeLessThan(3000);
      expect(ack.envelope_id).toBeDefined();
      const [answer] = await f.waitForResponses(r.id);
      expect(allText(answer.body as never)).toContain('HTTP/counted');
    } finally {
      await a.stop();
      await f.close();
    }
  });
});
