/**
 * The real botbuilder CloudAdapter on loopback, against the Samba AD lab; only Microsoft's cloud is
 * replaced (test/helpers/fake-bot-connector.ts: JWT signing keys, Bot Connector, token endpoint).
 */
import http from 'node:http';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REQUEST_CHANGE_VERB } from '../../../cards/teams/index.js';
import { openStore, type Store } from '../../../src/store/index.js';
import type { ChangeRequestInput } from '../../../src/surfaces/teams/index.js';
import { CardRenderer } from '../../helpers/adaptive-render.js';
import { FakeBotConnector } from '../../helpers/fake-bot-connector.js';
import { checkCardSchema } from '../../cards/teams/schema.js';
import { labEnv, type Lab } from '../../helpers/lab-env.js';
import { botChannelUpdate, cardActionInvoke, CHANNEL_ID, messageActivity } from './activities.js';
import { APP_ID, cardsOf, cardTexts, startHarness, type Harness } from './harness.js';

let lab: Lab;
let h: Harness;
let store: Store;
const requested: ChangeRequestInput[] = [];

const msg = (text: string, where: 'personal' | 'groupChat' | 'channel' = 'personal', id?: string) =>
  messageActivity(text, { serviceUrl: h.fake.serviceUrl, appId: APP_ID, where, id });

/** Posts an activity and returns the message replies (not typing indicators) the connector received. */
async function ask(activity: Record<string, unknown>, replies = 1) {
  const before = h.fake.messages().length;
  const res = await h.fake.postActivity(h.url, activity);
  expect(res.status).toBe(200);
  const all = await h.fake.waitForActivities(before + replies, { filter: (a) => a.activity.type === 'message' });
  return all.slice(before);
}

beforeAll(async () => {
  lab = await labEnv();
  store = await openStore(join(mkdtempSync(join(tmpdir(), 'krbops-teams-')), 'krbops.db'));
  h = await startHarness(lab.env(), { store });
});
afterAll(async () => {
  await h?.close();
  await store?.close();
});
beforeEach(() => h.fake.clear());

describe('authentication (JWT validated by the adapter)', () => {
  const reject = async (authorization: string | null) => {
    const res = await h.fake.postActivity(h.url, msg('spn list crmweb'), { authorization });
    expect(res.status).toBe(401);
    // Nothing ran: no reply, no typing indicator.
    await new Promise((r) => setTimeout(r, 200));
    expect(h.fake.activities).toEqual([]);
  };

  it('rejects a request without a token with 401 and runs nothing', () => reject(null));
  it('rejects a token signed by a key the channel does not publish', () => reject(`Bearer ${h.fake.channelToken({ key: FakeBotConnector.otherKey() })}`));
  it('rejects a token issued for another bot', () => reject(`Bearer ${h.fake.channelToken({ audience: 'another-app-id' })}`));
  it('rejects an expired token', () => reject(`Bearer ${h.fake.channelToken({ expiresIn: -600 })}`));
  it('rejects a token whose serviceUrl is not the activity’s', () => reject(`Bearer ${h.fake.channelToken({ serviceUrl: 'https://evil.example/' })}`));
  it('rejects a token from another issuer', () => reject(`Bearer ${h.fake.channelToken({ issuer: 'https://sts.windows.net/evil/' })}`));

  it('answers with a token it obtained with its own app credentials', async () => {
    const [reply] = await ask(msg('spn list crmweb'));
    expect(reply.authorization).toMatch(/^Bearer ey/);
    expect(h.fake.tokenRequests.some((t) => t.ok && t.clientId === APP_ID && t.scope === 'https://api.botframework.com/.default')).toBe(true);
    expect(h.fake.rejected).toEqual([]);
  });
});

describe('commands as messages', () => {
  it('answers spn list in a personal chat with the account card, as a reply to the message', async () => {
    const activity = msg('spn list crmweb');
    const [reply] = await ask(activity);
    expect(reply.replyToId).toBe(activity.id);
    expect(reply.conversationId).toBe('a:1personal-chat-with-krbops');
    const [card] = cardsOf(reply.activity);
    expect(card.version).toBe('1.5');
    const texts = cardTexts(card);
    expect(texts[0]).toBe('SPNs of CONTOSO\\crmweb');
    expect(texts).toEqual(expect.arrayContaining(['HTTP/crm', 'HTTP/crm.contoso.test', 'HTTP/ndcrmsrv1', 'HTTP/ndcrmsrv1.contoso.test']));
    expect(texts.some((t) => t.startsWith(`Answered by: ${lab.env().LDAP_URL}`))).toBe(true);
    // A typing indicator went out before the answer.
    expect(h.fake.activities[0].activity.type).toBe('typing');
  });

  it('answers an @-mention with a leading slash in a channel, in the message’s thread', async () => {
    const activity = msg('/spn list crmweb', 'channel');
    const [reply] = await ask(activity);
    expect(reply.conversationId).toBe(`${CHANNEL_ID};messageid=${String(activity.id)}`);
    expect(reply.replyToId).toBe(activity.id);
    expect(cardTexts(cardsOf(reply.activity)[0])[0]).toBe('SPNs of CONTOSO\\crmweb');
  });

  it('answers spn query in a group chat with the holder', async () => {
    const [reply] = await ask(msg('spn query http/REPORTS.contoso.test', 'groupChat'));
    expect(reply.conversationId).toBe('19:meeting-groupchat-krbops@thread.v2');
    const texts = cardTexts(cardsOf(reply.activity)[0]);
    expect(texts[0]).toBe('spn query http/REPORTS.contoso.test');
    expect(texts).toContain('Held by rptservice.');
  });

  it('flags the lab’s duplicate HTTP/crm.contoso.test with a removal command per holder', async () => {
    const [reply] = await ask(msg('spn query HTTP/crm.contoso.test', 'channel'));
    const texts = cardTexts(cardsOf(reply.activity)[0]);
    expect(texts).toContain('Duplicate: 2 accounts hold this SPN.');
    expect(texts).toEqual(expect.arrayContaining(['setspn -D HTTP/crm.contoso.test crmweb', 'setspn -D HTTP/crm.contoso.test crmweb2']));
  });

  it('answers bad arguments with a usage card', async () => {
    const [reply] = await ask(msg('spn list'));
    const texts = cardTexts(cardsOf(reply.activity)[0]);
    expect(texts.slice(0, 2)).toEqual(['That command needs a fix', 'Missing <account>.']);
    expect(texts).toContain('Usage: spn list <account>');
  });

  it('answers an unknown command with the list of commands', async () => {
    const [reply] = await ask(msg('spn frobnicate', 'channel'));
    const texts = cardTexts(cardsOf(reply.activity)[0]);
    expect(texts[1]).toBe('Unknown command "spn frobnicate".');
    expect(texts.some((t) => t.includes('spn list <account>'))).toBe(true);
  });

  it('answers krb help and a bare mention with the help card', async () => {
    for (const text of ['krb help', '']) {
      const [reply] = await ask(msg(text, 'channel'));
      const texts = cardTexts(cardsOf(reply.activity)[0]);
      expect(texts[0]).toBe('krbops commands');
      expect(texts).toEqual(expect.arrayContaining(['spn list crmweb', 'spn list <account>', 'spn dupes']));
    }
  });

  it('says an account is not found, with close matches, without a stack trace', async () => {
    const [reply] = await ask(msg('spn list crmwbe'));
    const texts = cardTexts(cardsOf(reply.activity)[0]);
    expect(texts[0]).toBe('Account not found');
    expect(texts.join('\n')).not.toMatch(/at .*\.(ts|js):\d+/);
  });

  it('takes an injection string as a plain account name', async () => {
    const [reply] = await ask(msg('spn list "*)(objectClass=*"'));
    expect(cardTexts(cardsOf(reply.activity)[0])[0]).toBe('Account not found');
  });

  it('refuses a 10 000-character argument with a usage card that does not echo it', async () => {
    const [reply] = await ask(msg(`spn list ${'a'.repeat(10_000)}`));
    const card = cardsOf(reply.activity)[0];
    expect(cardTexts(card)[0]).toBe('That command needs a fix');
    expect(JSON.stringify(card).length).toBeLessThan(5000);
  });
});

describe('krb why-401 on the lab scenario', () => {
  let iis: http.Server;
  let url: string;
  beforeAll(async () => {
    // The CRM site's answer to an anonymous request, as IIS gives it with Windows authentication on.
    iis = http.createServer((_req, res) => {
      res.writeHead(401, { 'www-authenticate': ['Negotiate', 'NTLM'], server: 'Microsoft-IIS/10.0', date: new Date().toUTCString(), 'content-type': 'text/html' });
      res.end('401 - Unauthorized: Access is denied due to invalid credentials.');
    });
    await new Promise<void>((r) => iis.listen(0, lab.hosts.crm, r));
    url = `http://crm.contoso.test:${(iis.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    iis?.closeAllConnections();
    await new Promise((r) => iis?.close(r));
  });

  it('answers in the channel thread with the verdict, the duplicate SPN, its fix and a request button', async () => {
    const activity = msg(`krb why-401 ${url}`, 'channel');
    const replies = await ask(activity);
    expect(replies.every((r) => r.replyToId === activity.id)).toBe(true);
    const cards = replies.flatMap((r) => cardsOf(r.activity));
    for (const c of cards) expect(checkCardSchema(c)).toEqual([]);
    const texts = cards.flatMap(cardTexts);
    expect(texts[0]).toBe(`krb why-401 ${url}`);
    expect(texts[1]).toBe('Most likely cause');
    expect(texts.join('\n')).toContain('crmweb2');
    expect(texts.some((t) => /^setspn -D HTTP\/crm\.contoso\.test/i.test(t))).toBe(true);
    const json = JSON.stringify(cards);
    expect(json).toContain('"type":"Action.Execute"');
    expect(json).toContain('"verb":"krbops.requestChange"');

    // The card the lab produced parses and renders in the official library without a warning.
    const renderer = await CardRenderer.start();
    try {
      const report = await renderer.render('lab-why-401', cards[0], { screenshotDir: 'test-output/cards/teams' });
      expect(report.events).toEqual([]);
      expect(report.validation).toEqual([]);
      expect(report.actions).toContain('Request this change');
    } finally {
      await renderer.close();
    }
  });
});

describe('slow commands', () => {
  it('acknowledges at once and posts the answer in the same thread when it is ready', async () => {
    const slow = await startHarness(lab.env(), { replyWithinMs: 1 }, h.fake);
    try {
      const activity = messageActivity('spn dupes', { serviceUrl: h.fake.serviceUrl, appId: APP_ID, where: 'channel' });
      const res = await h.fake.postActivity(slow.url, activity);
      expect(res.status).toBe(200);
      const [ack, answer] = await h.fake.waitForActivities(2, { filter: (a) => a.activity.type === 'message', timeoutMs: 30_000 });
      expect(ack.activity.text).toBe('Still working on "spn dupes"; the answer will follow in this conversation.');
      expect(answer.conversationId).toBe(`${CHANNEL_ID};messageid=${String(activity.id)}`);
      expect(answer.replyToId).toBe(activity.id);
      expect(cardTexts(cardsOf(answer.activity)[0])[0]).toBe('spn dupes');
    } finally {
      await slow.close();
    }
  });
});

describe('the directory is down', () => {
  it('answers with an error card naming the DC and the reason', async () => {
    const down = await startHarness({ ...lab.env(), LDAP_URL: 'ldaps://127.0.0.1:1', LDAP_TIMEOUT_MS: '1000' }, {}, h.fake);
    try {
      const activity = messageActivity('spn list crmweb', { serviceUrl: h.fake.serviceUrl, appId: APP_ID });
      await h.fake.postActivity(down.url, activity);
      const [reply] = await h.fake.waitForActivities(1, { filter: (a) => a.activity.type === 'message' });
      const texts = cardTexts(cardsOf(reply.activity)[0]);
      expect(texts[0]).toBe('No domain controller answered');
      expect(texts).toContain('Domain controller: ldaps://127.0.0.1:1');
      expect(texts.find((t) => t.startsWith('Reason: '))).toMatch(/ECONNREFUSED|refused/i);
      expect(reply.replyToId).toBe(activity.id);
    } finally {
      await down.close();
    }
  });
});

describe('"Request this change" (Action.Execute)', () => {
  const data = { ruleId: 'spn-missing-short-name', subject: 'HTTP/crm', url: 'http://crm', summary: 'Register the short name', changes: [{ action: 'add', spn: 'HTTP/crm', account: 'CONTOSO\\crmweb' }] };

  it('says approvals are not configured, records nothing, and keeps the original card', async () => {
    const invoke = cardActionInvoke(REQUEST_CHANGE_VERB, data, { serviceUrl: h.fake.serviceUrl, appId: APP_ID });
    const res = await h.fake.postActivity(h.url, invoke);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'Change requests are not configured on this bot; nothing was requested.' });
    const [reply] = await h.fake.waitForActivities(1, { filter: (a) => a.activity.type === 'message' });
    expect(reply.method).toBe('POST');
    const texts = cardTexts(cardsOf(reply.activity)[0]);
    expect(texts[0]).toBe('Change requests are not configured');
    expect(texts).toContain('setspn -S HTTP/crm CONTOSO\\crmweb');
  });

  it('hands the request to the approvals flow when one is wired', async () => {
    const withApprovals = await startHarness(
      lab.env(),
      {
        approvals: {
          async requestChange(input) {
            requested.push(input);
            return { id: 'REQ-1', status: 'pending', changes: input.changes, requestedBy: input.requester.name, next: 'Waiting for an approver.' };
          },
        },
      },
      h.fake,
    );
    try {
      const res = await h.fake.postActivity(withApprovals.url, cardActionInvoke(REQUEST_CHANGE_VERB, data, { serviceUrl: h.fake.serviceUrl, appId: APP_ID }));
      expect(JSON.parse(res.body).value).toBe('Change request REQ-1 recorded (pending).');
      expect(requested).toHaveLength(1);
      expect(requested[0]).toMatchObject({ changes: data.changes, requester: { surface: 'teams', id: '00000000-0000-4000-8000-00000000ad31', name: 'Adele Vance' }, finding: { ruleId: 'spn-missing-short-name', subject: 'HTTP/crm' }, url: 'http://crm' });
      const [reply] = await h.fake.waitForActivities(1, { filter: (a) => a.activity.type === 'message' });
      expect(cardTexts(cardsOf(reply.activity)[0])).toEqual(expect.arrayContaining(['Change requested', 'Request: REQ-1', 'Status: pending']));
    } finally {
      await withApprovals.close();
    }
  });

  it('refuses forged or malformed button data', async () => {
    for (const bad of [{ ...data, changes: [] }, { ...data, changes: [{ action: 'modify', spn: 'HTTP/crm', account: 'x' }] }, { ...data, changes: [{ action: 'add', spn: 'not an spn', account: 'x' }] }, 'junk']) {
      const res = await h.fake.postActivity(h.url, cardActionInvoke(REQUEST_CHANGE_VERB, bad, { serviceUrl: h.fake.serviceUrl, appId: APP_ID }));
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ statusCode: 400, type: 'application/vnd.microsoft.error' });
    }
    const res = await h.fake.postActivity(h.url, cardActionInvoke('krbops.deleteEverything', data, { serviceUrl: h.fake.serviceUrl, appId: APP_ID }));
    expect(res.status).toBe(400);
    expect(h.fake.messages()).toEqual([]);
  });
});

describe('turn errors', () => {
  it('become an error card with a log reference (onTurnError), not a stack trace', async () => {
    const broken = await openStore(join(mkdtempSync(join(tmpdir(), 'krbops-teams-')), 'krbops.db'));
    await broken.close();
    const withBrokenStore = await startHarness(lab.env(), { store: broken }, h.fake);
    try {
      await h.fake.postActivity(withBrokenStore.url, botChannelUpdate('added', { serviceUrl: h.fake.serviceUrl, appId: APP_ID }));
      const [reply] = await h.fake.waitForActivities(1, { filter: (a) => a.activity.type === 'message' });
      const texts = cardTexts(cardsOf(reply.activity)[0]);
      expect(texts[0]).toMatch(/^(The krbops state store failed|krbops hit an internal error)$/);
      expect(texts.some((t) => t.startsWith('Code: '))).toBe(true);
      expect(texts.some((t) => /^Log reference: [0-9a-f]{8}$/.test(t))).toBe(true);
      expect(texts.join('\n')).not.toMatch(/\bat .*\.(ts|js):\d+/);
    } finally {
      await withBrokenStore.close();
    }
  });
});

describe('channels and alerts', () => {
  it('keeps an alert for the next run while krbops is in no channel yet (nothing marked posted, nothing lost)', async () => {
    expect(await store.listConversations()).toEqual([]);
    h.fake.clear();
    await expect(h.surface.notifier().post({ title: 'New duplicate SPN: HTTP/x', severity: 'high', key: 'k' })).rejects.toThrow(/not been added to any Teams channel/);
    expect(h.fake.messages()).toEqual([]);
  });

  it('saves the channel when added, posts alerts there as new posts, and forgets it when removed', async () => {
    const o = { serviceUrl: h.fake.serviceUrl, appId: APP_ID };
    const [welcome] = await ask(botChannelUpdate('added', o));
    expect(cardTexts(cardsOf(welcome.activity)[0]).join(' ')).toContain('Scheduled alerts (ADFS certificates, new duplicate SPNs) are posted in this channel.');
    const saved = await store.listConversations();
    expect(saved.map((c) => [c.id, c.name])).toEqual([[CHANNEL_ID, 'Identity Ops / kerberos-oncall']]);

    h.fake.clear();
    const result = await h.surface.notifier().post({
      title: 'New duplicate SPN: HTTP/crm.contoso.test',
      text: 'HTTP/crm.contoso.test is now registered on crmweb and crmweb2.',
      severity: 'critical',
      source: 'duplicate SPN watch',
      key: 'dupes:HTTP/crm.contoso.test',
    });
    expect(result).toEqual({ sent: [CHANNEL_ID], failed: [] });
    const [alert] = h.fake.messages();
    expect(alert.conversationId).toBe(CHANNEL_ID);
    expect(alert.replyToId).toBeUndefined();
    expect(cardTexts(cardsOf(alert.activity)[0])).toEqual(expect.arrayContaining(['New duplicate SPN: HTTP/crm.contoso.test', 'CRITICAL · krbops alert', 'krbops duplicate SPN watch · alert dupes:HTTP/crm.contoso.test']));

    await h.fake.postActivity(h.url, botChannelUpdate('removed', o));
    await expect.poll(() => store.listConversations()).toEqual([]);
  });
});
