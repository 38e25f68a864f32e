import { describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { capabilityOf, COMMAND_CAPABILITIES } from '../../src/policy/capabilities.js';
import { loadAccessPolicy } from '../../src/policy/config.js';
import { describePolicy, evaluate, type AccessRequest } from '../../src/policy/evaluate.js';
import type { AccessPolicy, Asker, Capability, Place } from '../../src/policy/types.js';

const OPS = 'CN=Kerberos Ops,OU=Groups,DC=contoso,DC=test';
const alice: Asker = { surface: 'slack', id: 'U0ALICE' };
const tina: Asker = { surface: 'teams', id: 'aad-tina' };
const incident: Place = { surface: 'slack', channelId: 'C0INCIDENT', direct: false };
const random: Place = { surface: 'slack', channelId: 'C0RANDOM', direct: false };
const slackDm: Place = { surface: 'slack', channelId: 'D0ALICE', direct: true };
const teamsChannel: Place = { surface: 'teams', channelId: '19:ops@thread.tacv2', teamId: '19:team-ops@thread.tacv2', direct: false };
const teamsOther: Place = { surface: 'teams', channelId: '19:general@thread.tacv2', teamId: '19:team-hr@thread.tacv2', direct: false };

const policy = (env: Record<string, string>): AccessPolicy => loadAccessPolicy(env);
const req = (capability: Capability, asker: Asker, place?: Place): AccessRequest => ({ capability, asker, place, command: capability });

type Expect = 'allow' | 'place' | 'direct' | 'person' | 'groups';
const cases: { name: string; env: Record<string, string>; request: AccessRequest; groups?: string[]; expect: Expect }[] = [
  { name: 'nothing configured: explain for everyone', env: {}, request: req('explain', alice, random), expect: 'allow' },
  { name: 'nothing configured: help in a DM', env: {}, request: req('help', alice, slackDm), expect: 'allow' },
  { name: 'nothing configured: spn is closed in every channel', env: {}, request: req('spn', alice, incident), expect: 'place' },
  { name: 'nothing configured: why-401 is closed in a DM', env: {}, request: req('why-401', alice, slackDm), expect: 'direct' },
  { name: 'nothing configured: the CLI is not subject to the policy', env: {}, request: req('spn', { surface: 'cli', id: 'root' }), expect: 'allow' },
  { name: 'a listed channel opens spn to everyone in it', env: { KRBOPS_ALLOW_CHANNELS: 'C0INCIDENT' }, request: req('spn', alice, incident), expect: 'allow' },
  { name: 'a listed channel does not open another channel', env: { KRBOPS_ALLOW_CHANNELS: 'C0INCIDENT' }, request: req('spn', alice, random), expect: 'place' },
  { name: 'a listed channel does not open DMs', env: { KRBOPS_ALLOW_CHANNELS: 'C0INCIDENT' }, request: req('adfs', alice, slackDm), expect: 'direct' },
  { name: 'KRBOPS_ALLOW_DMS opens DMs', env: { KRBOPS_ALLOW_CHANNELS: 'C0INCIDENT', KRBOPS_ALLOW_DMS: 'true' }, request: req('adfs', alice, slackDm), expect: 'allow' },
  { name: '* opens every channel but not DMs', env: { KRBOPS_ALLOW_CHANNELS: '*' }, request: req('spn', alice, slackDm), expect: 'direct' },
  { name: 'a surface prefix must match the surface', env: { KRBOPS_ALLOW_CHANNELS: 'teams:C0INCIDENT' }, request: req('spn', alice, incident), expect: 'place' },
  { name: 'a Teams team opens all its channels', env: { KRBOPS_ALLOW_CHANNELS: 'team:19:team-ops@thread.tacv2' }, request: req('why-401', tina, teamsChannel), expect: 'allow' },
  { name: 'a Teams team does not open another team', env: { KRBOPS_ALLOW_CHANNELS: 'team:19:team-ops@thread.tacv2' }, request: req('why-401', tina, teamsOther), expect: 'place' },
  { name: 'a listed user may run in the listed channel', env: { KRBOPS_ALLOW_CHANNELS: 'C0INCIDENT', KRBOPS_ALLOW_USERS: 'slack:U0ALICE' }, request: req('spn', alice, incident), expect: 'allow' },
  { name: 'an unlisted user is refused as a person, without lookups', env: { KRBOPS_ALLOW_CHANNELS: 'C0INCIDENT', KRBOPS_ALLOW_USERS: 'slack:U0BOB' }, request: req('spn', alice, incident), expect: 'person' },
  { name: 'a user ID of the other surface does not count', env: { KRBOPS_ALLOW_CHANNELS: '*', KRBOPS_ALLOW_USERS: 'teams:U0ALICE' }, request: req('spn', alice, incident), expect: 'person' },
  { name: 'users alone open any channel to them', env: { KRBOPS_ALLOW_USERS: 'U0ALICE' }, request: req('spn', alice, random), expect: 'allow' },
  { name: 'a group rule asks for the groups first', env: { KRBOPS_ALLOW_CHANNELS: 'C0INCIDENT', KRBOPS_ALLOW_GROUP_DNS: OPS }, request: req('spn', alice, incident), expect: 'groups' },
  { name: 'a group member is allowed (DN case does not matter)', env: { KRBOPS_ALLOW_CHANNELS: 'C0INCIDENT', KRBOPS_ALLOW_GROUP_DNS: OPS }, request: req('spn', alice, incident), groups: [OPS.toUpperCase()], expect: 'allow' },
  { name: 'a non-member is refused', env: { KRBOPS_ALLOW_CHANNELS: 'C0INCIDENT', KRBOPS_ALLOW_GROUP_DNS: OPS }, request: req('spn', alice, incident), groups: [], expect: 'person' },
  { name: 'a group rule in the wrong channel refuses before any lookup', env: { KRBOPS_ALLOW_CHANNELS: 'C0INCIDENT', KRBOPS_ALLOW_GROUP_DNS: OPS }, request: req('spn', alice, random), expect: 'place' },
  { name: 'explain stays open under a group rule', env: { KRBOPS_ALLOW_CHANNELS: 'C0INCIDENT', KRBOPS_ALLOW_GROUP_DNS: OPS }, request: req('explain', alice, random), expect: 'allow' },
];

describe('access policy evaluation', () => {
  for (const c of cases) {
    it(c.name, () => {
      const d = evaluate(policy(c.env), c.request, c.groups);
      if (c.expect === 'groups') {
        expect(d).toEqual({ needsGroups: [OPS.toLowerCase()] });
        return;
      }
      if (c.expect === 'allow') expect(d).toEqual({ allowed: true });
      else expect(d).toMatchObject({ allowed: false, refusal: c.expect });
    });
  }

  it('refuses politely, says nothing was looked up and whom to ask', () => {
    const d = evaluate(policy({ KRBOPS_ACCESS_CONTACT: '#identity-team' }), { capability: 'spn', command: 'spn list', asker: alice, place: incident });
    expect(d).toMatchObject({ allowed: false });
    const message = (d as { message: string }).message;
    expect(message).toMatch(/^Sorry, "spn list" is not enabled in this channel/);
    expect(message).toContain('Nothing was looked up.');
    expect(message).toContain('Ask #identity-team if you need it.');
  });

  it('says at start-up that directory commands are closed when nothing is configured', () => {
    expect(describePolicy(policy({})).join('\n')).toMatch(/directory commands \(spn, why-401, adfs, approvals\) are closed in chat: set KRBOPS_ALLOW_CHANNELS/);
    expect(describePolicy(policy({ KRBOPS_ALLOW_CHANNELS: 'C0INCIDENT' })).join('\n')).toContain('spn, why-401, adfs, approvals: in C0INCIDENT; for everyone');
  });

  it('names the variable of a bad setting', () => {
    expect(() => policy({ KRBOPS_ALLOW_DMS: 'yes' })).toThrow(/KRBOPS_ALLOW_DMS/);
    expect(() => policy({ KRBOPS_ALLOW_GROUP_DNS: 'Kerberos Ops*' })).toThrow(/KRBOPS_ALLOW_GROUP_DNS/);
    expect(() => policy({ KRBOPS_ALLOW_CHANNELS: 'C0 INCIDENT' })).toThrow(/KRBOPS_ALLOW_CHANNELS/);
    expect(() => policy({ KRBOPS_IDENTITY_CACHE_MINUTES: '0' })).toThrow(/KRBOPS_IDENTITY_CACHE_MINUTES/);
  });

  it('maps every registry command to a capability explicitly', () => {
    for (const c of commands) expect(COMMAND_CAPABILITIES[c.path.join(' ')], c.path.join(' ')).toBeDefined();
    expect(capabilityOf(['spn', 'something-new'])).toBe('spn');
    expect(capabilityOf(['krb', 'something-new'])).toBe('why-401');
  });
});
