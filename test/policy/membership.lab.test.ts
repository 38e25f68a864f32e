/** AD group membership by e-mail, against the Samba lab, and the cached access check over it. */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ldapGroupMembership, type GroupMembershipReader } from '../../src/directory/membership.js';
import { silentLogger } from '../../src/log.js';
import { createAccessControl } from '../../src/policy/access.js';
import { loadAccessPolicy } from '../../src/policy/config.js';
import { addAdPeople, type AdPeople } from '../helpers/ad-people.js';
import { labEnv, type Lab } from '../helpers/lab-env.js';

let lab: Lab;
let people: AdPeople;
let reader: GroupMembershipReader;

beforeAll(async () => {
  lab = await labEnv();
  people = await addAdPeople(lab, 'mem');
  reader = ldapGroupMembership(loadConfig(lab.env()).ldap!, silentLogger);
}, 180_000);

describe('AD groups by e-mail address (read-only, Samba lab)', () => {
  it('finds a nested member by mail and by UPN', async () => {
    expect(await reader.groupsOf(people.member.email, [people.groupDn, people.innerDn])).toEqual([people.groupDn, people.innerDn]);
    expect(await reader.groupsOf(people.member.upn, [people.groupDn])).toEqual([people.groupDn]);
  });

  it('finds nothing for an outsider, a disabled account, a shared address or filter text', async () => {
    expect(await reader.groupsOf(people.outsider.email, [people.groupDn])).toEqual([]);
    expect(await reader.groupsOf(people.disabled.email, [people.groupDn])).toEqual([]);
    expect(await reader.groupsOf(people.shared.email, [people.groupDn])).toEqual([]);
    expect(await reader.groupsOf('*)(mail=*', [people.groupDn])).toEqual([]);
    expect(await reader.groupsOf(`*@contoso.test`, [people.groupDn])).toEqual([]);
  });
});

describe('the access check over the lab', () => {
  const place = { surface: 'slack' as const, channelId: 'C0INCIDENT', direct: false };

  it('allows a group member after one e-mail lookup, then answers from the cache', async () => {
    let clock = 1_000_000;
    let directory = 0;
    const counted: GroupMembershipReader = { groupsOf: (e, g) => (directory++, reader.groupsOf(e, g)) };
    const access = createAccessControl({
      policy: loadAccessPolicy({ KRBOPS_ALLOW_CHANNELS: 'C0INCIDENT', KRBOPS_ALLOW_GROUP_DNS: people.groupDn, KRBOPS_IDENTITY_CACHE_MINUTES: '5' }),
      membership: counted,
      now: () => clock,
    });
    const asked: string[] = [];
    const emailOf = async (a: { id: string }) => (asked.push(a.id), a.id === 'U0CARLA' ? people.member.email : people.outsider.email);
    const carla = { surface: 'slack' as const, id: 'U0CARLA' };
    expect(await access.authorize({ capability: 'spn', asker: carla, place }, emailOf)).toEqual({ allowed: true });
    expect(await access.authorize({ capability: 'why-401', asker: carla, place }, emailOf)).toEqual({ allowed: true });
    expect(asked).toEqual(['U0CARLA']);
    expect(directory).toBe(1);
    clock += 6 * 60_000; // past the cache
    expect(await access.authorize({ capability: 'spn', asker: carla, place }, emailOf)).toEqual({ allowed: true });
    expect(directory).toBe(2);

    const dan = { surface: 'slack' as const, id: 'U0DAN' };
    expect(await access.authorize({ capability: 'spn', asker: dan, place }, emailOf)).toMatchObject({ allowed: false, refusal: 'person' });
    // A refusal by place looks nothing up, not even the e-mail address.
    const before = { asked: asked.length, directory };
    expect(await access.authorize({ capability: 'spn', asker: { surface: 'slack', id: 'U0NEW' }, place: { ...place, channelId: 'C0RANDOM' } }, emailOf)).toMatchObject({ allowed: false, refusal: 'place' });
    expect({ asked: asked.length, directory }).toEqual(before);
    expect(await access.capabilities(carla, place, emailOf)).toEqual(['help', 'explain', 'spn', 'why-401', 'adfs', 'approvals']);
    expect(await access.capabilities(dan, place, emailOf)).toEqual(['help', 'explain']);
  });

  it('refuses when the directory cannot be asked, and says so without a stack trace', async () => {
    const broken: GroupMembershipReader = { groupsOf: async () => Promise.reject(new Error('DC down')) };
    const access = createAccessControl({ policy: loadAccessPolicy({ KRBOPS_ALLOW_GROUP_DNS: people.groupDn }), membership: broken });
    const d = await access.authorize({ capability: 'spn', asker: { surface: 'teams', id: 'aad-x' }, place: { surface: 'teams', channelId: '19:a', direct: false } }, async () => 'x@contoso.test');
    expect(d).toMatchObject({ allowed: false, refusal: 'person' });
  });
});
