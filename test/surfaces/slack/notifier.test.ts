/** Alerts to the Slack channel through the real Web API client, against the fake Slack cloud. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkMessage } from '../../../cards/slack/index.js';
import { loadConfig } from '../../../src/config.js';
import { ConfigError } from '../../../src/errors.js';
import { createSlackNotifier } from '../../../src/surfaces/slack/index.js';
import { aFinding, allText } from '../../cards/slack/builders.js';
import { startFakeSlackApi, type FakeSlackApi } from '../../helpers/fake-slack-api.js';

const BOT = 'xoxb-krbops-alerts';
let fake: FakeSlackApi;
const config = () => loadConfig({ SLACK_BOT_TOKEN: BOT, SLACK_API_URL: fake.apiUrl, KRBOPS_ALERT_SLACK_CHANNEL: 'CALERTS' });
const fast = { retryConfig: { retries: 2, minTimeout: 10, maxTimeout: 50 } };

beforeAll(async () => {
  fake = await startFakeSlackApi({ botTokens: [BOT] });
});
afterAll(async () => {
  await fake?.close();
});

describe('Slack alerts', () => {
  it('posts an alert with its findings to the alert channel', async () => {
    const n = createSlackNotifier(config(), fast);
    const where = await n.post({ title: 'New duplicate SPN: HTTP/crm.contoso.test', findings: [aFinding({ ruleId: 'spn-duplicate', severity: 'high' })], source: 'duplicate SPN watch', at: '2025-01-01T08:00:00.000Z' });
    expect(where.channel).toBe('CALERTS');
    const call = fake.callsOf('chat.postMessage').at(-1)!;
    expect(call).toMatchObject({ authorization: `Bearer ${BOT}`, body: { channel: 'CALERTS' } });
    expect(checkMessage(call.body as never)).toEqual([]);
    const t = allText(call.body as never);
    expect(call.body.blocks[0].text.text).toBe(':red_circle: New duplicate SPN: HTTP/crm.contoso.test');
    expect(t).toContain('setspn -S HTTP/crm.contoso.test');
    expect(t).toContain('krbops duplicate SPN watch · 2025-01-01 08:00 UTC');
  });

  it('shows the alert\'s paragraph, lines and key', async () => {
    await createSlackNotifier(config(), fast).post({ title: 'Resolved: HTTP/crm.contoso.test', text: 'The duplicate is gone.', lines: ['Now only on crmweb'], key: 'dupes:HTTP/crm.contoso.test', severity: 'info' });
    const call = fake.callsOf('chat.postMessage').at(-1)!;
    const t = allText(call.body as never);
    expect(t).toContain('The duplicate is gone.');
    expect(t).toContain('Now only on crmweb');
    expect(t).toContain('alert `dupes:HTTP/crm.contoso.test`');
  });

  it('waits for Retry-After when Slack answers rate_limited, then posts', async () => {
    const before = fake.callsOf('chat.postMessage').length;
    fake.rateLimitNext('chat.postMessage', 1);
    await createSlackNotifier(config(), fast).post({ title: 'AD FS token-signing certificate expires in 5 days', severity: 'high' });
    const [limited, posted] = fake.callsOf('chat.postMessage').slice(before);
    expect(limited.status).toBe(429);
    expect(posted.status).toBe(200);
    expect(posted.at - limited.at).toBeGreaterThanOrEqual(1000);
  });

  it('threads the rest of a long alert under the summary', async () => {
    const before = fake.callsOf('chat.postMessage').length;
    const findings = Array.from({ length: 40 }, (_, i) => aFinding({ title: `Duplicate ${i}`, evidence: Array.from({ length: 20 }, (_, j) => `evidence ${j} for duplicate ${i}`) }));
    const where = await createSlackNotifier(config(), fast).post({ title: '40 new duplicate SPNs', findings });
    const calls = fake.callsOf('chat.postMessage').slice(before);
    expect(calls.length).toBeGreaterThan(1);
    expect(calls.slice(1).every((c) => c.body.thread_ts === where.ts)).toBe(true);
    for (const c of calls) expect(checkMessage(c.body as never)).toEqual([]);
  });

  it('names the variable to fix when the bot is not in the channel', async () => {
    fake.failNext('chat.postMessage', 'not_in_channel');
    const err = await createSlackNotifier(config(), fast).post({ title: 'x' }).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain('KRBOPS_ALERT_SLACK_CHANNEL: the bot is not a member of CALERTS');
  });

  it('requires the alert channel', () => {
    expect(() => createSlackNotifier(loadConfig({ SLACK_BOT_TOKEN: BOT }))).toThrow(/KRBOPS_ALERT_SLACK_CHANNEL/);
  });
});
