/**
 * Who may ask, through the real Bolt app (Slack's cloud replaced by test/helpers/fake-slack-api.ts)
 * and the shared Samba lab: a user outside the policy is refused politely and NOTHING is queried
 * (the directory the commands use is counted call by call); an AD-group member is allowed after one
 * users.info e-mail lookup; /krb help lists only what the asker may run; every command is in the
 * command audit, which `krbops audit export` prints.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandAudit } from '../../src/audit/recorder.js';
import { main } from '../../src/cli.js';
import { loadConfig, type Config } from '../../src/config.js';
import { openDirectory } from '../../src/directory/ldap-directory.js';
import { ldapGroupMembership, type GroupMembershipReader } from '../../src/directory/membership.js';
import type { DirectoryReader } from '../../src/directory/types.js';
import { silentLogger } from '../../src/log.js';
import { createAccessControl } from '../../src/policy/access.js';
import { createCommandGate, type CommandGate } from '../../src/policy/gate.js';
import { openStore, type Store } from '../../src/store/index.js';
import { startSlackApp, type StartedSlackApp } from '../../src/surfaces/slack/index.js';
import { allText } from '../cards/slack/builders.js';
import { addAdPeople, type AdPeople } from '../helpers/ad-people.js';
import { postSigned, slashCommandForm, startFakeSlackApi, type FakeSlackApi } from '../helpers/fake-slack-api.js';
import { labEnv, type Lab } from '../helpers/lab-env.js';

const SECRET = 'access-signing-secret-0123456789ab';
const BOT = 'xoxb-krbops-access';
const CARLA = 'U0CARLA';
const DAN = 'U0DAN';

let lab: Lab;
let people: AdPeople;
let fake: FakeSlackApi;
let app: StartedSlackApp;
let store: Store;
let dbFile: string;
let gate: CommandGate;
/** Calls the commands made on the directory (every DirectoryReader method), and group lookups. */
const counts = { directory: 0, membership: 0 };

/** The real LDAP directory, every method call counted. */
async function countingDirectory(config: Config, log: Logger): Promise<DirectoryReader> {
  const real = await openDirectory(config.ldap!, log);
  return new Proxy(real, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function' || prop === 'close') return typeof v === 'function' ? v.bind(target) : v;
      return (...args: unknown[]) => {
        counts.directory++;
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

async function slash(command: string, text: string, user: string, channel: string) {
  const r = fake.newResponseUrl();
  const res = await postSigned(app.url!, SECRET, slashCommandForm(command, text, r.url, { user_id: user, user_name: user.toLowerCase(), channel_id: channel }));
  expect(res.status).toBe(200);
  const posts = await fake.waitForResponses(r.id, 1, 20_000);
  return allText(posts.at(-1)!.body as never);
}

beforeAll(async () => {
  lab = await labEnv();
  people = await addAdPeople(lab, 'slk');
  fake = await startFakeSlackApi({ botTokens: [BOT], users: { [CARLA]: { email: people.member.email }, [DAN]: { email: people.outsider.email } } });
  dbFile = join(mkdtempSync(join(tmpdir(), 'krbops-access-')), 'krbops.db');
  const config = loadConfig({
    ...lab.env(),
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: BOT,
    SLACK_API_URL: fake.apiUrl,
    KRBOPS_DB: dbFile,
    KRBOPS_ALLOW_CHANNELS: 'C0INCIDENT',
    KRBOPS_ALLOW_GROUP_DNS: people.groupDn,
    KRBOPS_ACCESS_CONTACT: '#identity-team',
  });
  store = await openStore(dbFile);
  const real = ldapGroupMembership(config.ldap!, silentLogger);
  const membership: GroupMembershipReader = { groupsOf: (e, g) => (counts.membership++, real.groupsOf(e, g)) };
  gate = createCommandGate({ access: createAccessControl({ policy: config.access, membership }), audit: createCommandAudit({ store }) });
  app = await startSlackApp(config, { mode: 'http', listen: { port: 0, host: '127.0.0.1' }, core: { openDirectory: countingDirectory }, gate });
}, 180_000);

afterAll(async () => {
  await app?.stop();
  await fake?.close();
  await store?.close();
});

describe('access policy through the real Bolt app', () => {
  it('refuses a directory command outside the listed channels, says whom to ask, and queries nothing', async () => {
    const before = { ...counts, usersInfo: fake.callsOf('users.info').length };
    const said = await slash('/spn', 'list crmweb', 'U0RANDO', 'C0RANDOM');
    expect(said).toContain('Sorry, "spn list" is not enabled in this channel');
    expect(said).toContain('Nothing was looked up. Ask #identity-team if you need it.');
    expect(said).not.toContain('HTTP/crm');
    expect({ ...counts, usersInfo: fake.callsOf('users.info').length }).toEqual(before);
  });

  it('refuses a member of no listed group after one e-mail lookup, and runs nothing against the directory', async () => {
    const before = { directory: counts.directory, usersInfo: fake.callsOf('users.info').length };
    const said = await slash('/spn', 'list crmweb', DAN, 'C0INCIDENT');
    expect(said).toContain('Sorry, "spn list" is limited to the people and AD groups the krbops admins listed');
    expect(counts.directory).toBe(before.directory);
    expect(fake.callsOf('users.info').slice(before.usersInfo).map((c) => c.body.user)).toEqual([DAN]);
  });

  it('allows an AD-group member, found through their Slack e-mail address, and answers from AD', async () => {
    const before = { ...counts, usersInfo: fake.callsOf('users.info').length };
    const said = await slash('/spn', 'list crmweb', CARLA, 'C0INCIDENT');
    expect(said).toContain('`HTTP/crm.contoso.test`');
    expect(fake.callsOf('users.info').slice(before.usersInfo).map((c) => c.body.user)).toEqual([CARLA]);
    expect(counts.membership).toBe(before.membership + 1);
    expect(counts.directory).toBeGreaterThan(before.directory);
    // Cached: the second command asks neither Slack nor AD who Carla is.
    await slash('/spn', 'query HTTP/crm.contoso.test', CARLA, 'C0INCIDENT');
    expect(fake.callsOf('users.info').length).toBe(before.usersInfo + 1);
    expect(counts.membership).toBe(before.membership + 1);
  });

  it('lists in /krb help only what the asker may run', async () => {
    const dan = await slash('/krb', 'help', DAN, 'C0INCIDENT');
    expect(dan).toContain('krb explain');
    expect(dan).not.toContain('spn list');
    expect(dan).not.toContain('why-401');
    const carla = await slash('/krb', 'help', CARLA, 'C0INCIDENT');
    expect(carla).toContain('spn list');
    expect(carla).toContain('krb why-401');
  });

  it('answers krb explain to anyone, even in a direct message', async () => {
    const said = await slash('/krb', 'explain KRB_AP_ERR_MODIFIED', 'U0RANDO', 'D0RANDO');
    expect(said).toContain('KRB_AP_ERR_MODIFIED');
  });

  it('audits every command with its outcome, and audit export prints them as JSON lines', async () => {
    // The audit entry is written after the answer is delivered: wait for the last one.
    for (let i = 0; i < 100 && (await store.listCommandAudit()).length < 7; i++) await new Promise((r) => setTimeout(r, 50));
    await gate.flush();
    const saved = { ...process.env };
    process.env.KRBOPS_DB = dbFile;
    let out = '';
    try {
      expect(await main(['audit', 'export', '--since', '1h'], { out: (s) => (out += s), err: () => undefined })).toBe(0);
    } finally {
      process.env = saved;
    }
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { actor: { id: string }; channelId: string; command: string; outcome: string; durationMs: number });
    expect(lines.map((l) => [l.actor.id, l.channelId, l.command, l.outcome])).toEqual([
      ['U0RANDO', 'C0RANDOM', 'spn list', 'refused'],
      [DAN, 'C0INCIDENT', 'spn list', 'refused'],
      [CARLA, 'C0INCIDENT', 'spn list', 'ok'],
      [CARLA, 'C0INCIDENT', 'spn query', 'ok'],
      [DAN, 'C0INCIDENT', 'help', 'ok'],
      [CARLA, 'C0INCIDENT', 'help', 'ok'],
      ['U0RANDO', 'D0RANDO', 'krb explain', 'ok'],
    ]);
    expect(lines.every((l) => typeof l.durationMs === 'number')).toBe(true);
  });
});
