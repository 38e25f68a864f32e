/**
 * Who may ask, through the real botbuilder CloudAdapter (the Bot Framework cloud replaced by
 * test/helpers/fake-bot-connector.ts) and the shared Samba lab: outside the policy nothing is
 * queried; an AD-group member is allowed after one member lookup (their UPN, as TeamsInfo.getMember
 * reports it); help lists only what the asker may run; each command is audited.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandAudit } from '../../src/audit/recorder.js';
import { loadConfig, type Config } from '../../src/config.js';
import { openDirectory } from '../../src/directory/ldap-directory.js';
import { ldapGroupMembership } from '../../src/directory/membership.js';
import type { DirectoryReader } from '../../src/directory/types.js';
import { silentLogger } from '../../src/log.js';
import { createAccessControl } from '../../src/policy/access.js';
import { createCommandGate, type CommandGate } from '../../src/policy/gate.js';
import { openStore, type Store } from '../../src/store/index.js';
import { addAdPeople, type AdPeople } from '../helpers/ad-people.js';
import { labEnv } from '../helpers/lab-env.js';
import { CHANNEL_ID, messageActivity, TEAM_ID } from '../surfaces/teams/activities.js';
import { APP_ID, cardsOf, cardTexts, startHarness, type Harness } from '../surfaces/teams/harness.js';

const CARLA = { id: '29:1carla-teams-user', name: 'Carla', aadObjectId: '00000000-0000-4000-8000-00000000ca01' };
const DAN = { id: '29:1dan-teams-user', name: 'Dan', aadObjectId: '00000000-0000-4000-8000-00000000da01' };

let people: AdPeople;
let h: Harness;
let store: Store;
let gate: CommandGate;
let directoryCalls = 0;

async function countingDirectory(config: Config, log: Logger): Promise<DirectoryReader> {
  const real = await openDirectory(config.ldap!, log);
  return new Proxy(real, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        if (prop !== 'close') directoryCalls++;
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

async function say(text: string, user: typeof CARLA, where: 'channel' | 'personal' = 'channel'): Promise<string> {
  const before = h.fake.messages().length;
  const res = await h.fake.postActivity(h.url, messageActivity(text, { serviceUrl: h.fake.serviceUrl, appId: APP_ID, user, where }));
  expect(res.status).toBeLessThan(300);
  const [reply] = (await h.fake.waitForActivities(before + 1, { filter: (a) => a.activity.type === 'message', timeoutMs: 20_000 })).slice(before);
  return cardsOf(reply.activity).flatMap((c) => cardTexts(c)).join('\n');
}

beforeAll(async () => {
  const lab = await labEnv();
  people = await addAdPeople(lab, 'tms');
  const dbFile = join(mkdtempSync(join(tmpdir(), 'krbops-teams-access-')), 'krbops.db');
  store = await openStore(dbFile);
  const env = { ...lab.env(), KRBOPS_DB: dbFile, KRBOPS_ALLOW_CHANNELS: `team:${TEAM_ID}`, KRBOPS_ALLOW_GROUP_DNS: people.groupDn };
  const config = loadConfig({ ...env, MicrosoftAppId: APP_ID });
  gate = createCommandGate({ access: createAccessControl({ policy: config.access, membership: ldapGroupMembership(config.ldap!, silentLogger) }), audit: createCommandAudit({ store }) });
  h = await startHarness(env, { gate, core: { openDirectory: countingDirectory } });
  h.fake.members.set(CARLA.id, { id: CARLA.id, aadObjectId: CARLA.aadObjectId, name: CARLA.name, userPrincipalName: people.member.upn });
  h.fake.members.set(DAN.id, { id: DAN.id, aadObjectId: DAN.aadObjectId, name: DAN.name, userPrincipalName: `${people.outsider.sam}@contoso.test` });
}, 180_000);

afterAll(async () => {
  await h?.close();
  await store?.close();
});

describe('access policy through the real botbuilder stack', () => {
  it('refuses a directory command in a personal chat and looks nothing up', async () => {
    const before = { directoryCalls, lookups: h.fake.memberLookups };
    const said = await say('spn list crmweb', CARLA, 'personal');
    expect(said).toContain('Sorry, "spn list" is not enabled in direct messages with krbops');
    expect({ directoryCalls, lookups: h.fake.memberLookups }).toEqual(before);
  });

  it('refuses someone in no listed group after one member lookup, and runs nothing against the directory', async () => {
    const before = { directoryCalls, lookups: h.fake.memberLookups };
    const said = await say('spn list crmweb', DAN);
    expect(said).toContain('is limited to the people and AD groups the krbops admins listed');
    expect({ directoryCalls, lookups: h.fake.memberLookups }).toEqual({ directoryCalls: before.directoryCalls, lookups: before.lookups + 1 });
  });

  it('allows an AD-group member found through their UPN in a channel of the listed team', async () => {
    const before = directoryCalls;
    const said = await say('spn list crmweb', CARLA);
    expect(said).toContain('HTTP/crm.contoso.test');
    expect(directoryCalls).toBeGreaterThan(before);
  });

  it('lists in help only what the asker may run, and audits every message', async () => {
    const dan = await say('help', DAN);
    expect(dan).not.toContain('spn list');
    expect(dan).toContain('krb explain');
    await gate.flush();
    for (let i = 0; i < 100 && (await store.listCommandAudit()).length < 4; i++) await new Promise((r) => setTimeout(r, 50));
    const entries = await store.listCommandAudit();
    expect(entries.map((e) => [e.actor.id, e.command, e.outcome])).toEqual([
      [CARLA.aadObjectId, 'spn list', 'refused'],
      [DAN.aadObjectId, 'spn list', 'refused'],
      [CARLA.aadObjectId, 'spn list', 'ok'],
      [DAN.aadObjectId, 'help', 'ok'],
    ]);
    expect(entries[2]).toMatchObject({ surface: 'teams', channelId: CHANNEL_ID, text: 'spn list crmweb' });
  });
});
