/**
 * Teams in a Bot Framework cloud configured ONLY through the environment: `krbops serve` runs as a
 * child process whose environment names the local stand-in cloud with botbuilder's own variable
 * names, and trusts its token service's private CA through NODE_EXTRA_CA_CERTS (read by Node at
 * start, which is why this is a separate process). Nothing reaches the public cloud: the test
 * machine's loopback is all there is.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeBotConnector } from '../../helpers/fake-bot-connector.js';
import { messageActivity } from './activities.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const appId = '3f1c0b1e-1111-4000-8000-000000c10d01';
const appPassword = 'private-cloud-secret';

let fake: FakeBotConnector;
let child: ChildProcess;
let botUrl: string;
let logs = '';

function cloudEnv(f: FakeBotConnector, dir: string): Record<string, string> {
  const ca = path.join(dir, 'cloud-ca.pem');
  writeFileSync(ca, f.cloud.loginCa);
  return {
    MicrosoftAppId: appId,
    MicrosoftAppPassword: appPassword,
    MicrosoftAppType: 'MultiTenant',
    ChannelService: 'https://botframework.contoso.test',
    ToChannelFromBotLoginUrl: f.cloud.loginUrl,
    ToChannelFromBotOAuthScope: f.cloud.oauthScope,
    ToBotFromChannelTokenIssuer: f.cloud.tokenIssuer,
    ToBotFromChannelOpenIdMetadataUrl: f.cloud.openIdMetadataUrl,
    OAuthUrl: f.cloud.oauthScope,
    ValidateAuthority: 'true',
    NODE_EXTRA_CA_CERTS: ca,
  };
}

beforeAll(async () => {
  fake = await FakeBotConnector.start({ appId, appPassword, tokenIssuer: 'https://api.botframework.contoso.test' });
  const dir = mkdtempSync(path.join(tmpdir(), 'krbops-cloud-'));
  child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(ROOT, 'src', 'cli.ts'), 'serve'], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: dir, KRBOPS_DB: path.join(dir, 'krbops.db'), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...cloudEnv(fake, dir) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.on('data', (d: Buffer) => (logs += d.toString()));
  botUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`krbops serve did not start:\n${logs}`)), 60_000);
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      logs += d.toString();
      const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"[^\n]*krbops is serving/.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve(`${m[1]}/api/messages`);
      }
    });
    child.once('exit', (code) => reject(new Error(`krbops serve exited ${code}:\n${logs}`)));
  });
}, 90_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  await fake?.close();
});

describe('Teams in a Bot Framework cloud set only by environment variables', () => {
  it('validates the channel\'s token against the cloud\'s metadata and replies with a token from its login service', async () => {
    const activity = messageActivity('krb explain KRB_AP_ERR_MODIFIED', { serviceUrl: fake.serviceUrl, appId });
    const r = await fake.postActivity(botUrl, activity);
    expect(r.status).toBeLessThan(300);
    const [reply] = await fake.waitForActivities(1, { filter: (a) => a.activity.type === 'message', timeoutMs: 20_000 });
    expect(JSON.stringify(reply.activity)).toContain('KRB_AP_ERR_MODIFIED');
    expect(fake.tokenRequests.length).toBeGreaterThan(0);
    expect(fake.tokenRequests.every((t) => t.ok && t.clientId === appId && t.scope?.startsWith('https://api.botframework.com'))).toBe(true);
    expect(fake.rejected).toEqual([]);
  });

  it('refuses a token signed by anyone else with 401', async () => {
    const forged = fake.channelToken({ key: FakeBotConnector.otherKey() });
    const r = await fake.postActivity(botUrl, messageActivity('krb explain KRB_AP_ERR_SKEW', { serviceUrl: fake.serviceUrl, appId }), { authorization: `Bearer ${forged}` });
    expect(r.status).toBe(401);
  });
});
