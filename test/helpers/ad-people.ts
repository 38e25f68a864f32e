/**
 * People and groups for access-policy tests, added to the shared lab with unique names (no SPNs, so
 * no other test sees them): a group with a nested group, a member of the nested group with an
 * e-mail address, an outsider with an address, a disabled member, and two users sharing an address.
 */
import { randomBytes } from 'node:crypto';
import type { Lab } from '../lab/lab.js';

export interface AdPeople {
  /** The group rules name (its member is in it through `innerDn`). */
  groupDn: string;
  innerDn: string;
  /** In innerDn, so (nested) in groupDn. */
  member: { sam: string; email: string; upn: string };
  /** In no group. */
  outsider: { sam: string; email: string };
  /** In innerDn, but disabled. */
  disabled: { email: string };
  /** Two users, both in innerDn, with the same e-mail address. */
  shared: { email: string };
}

export async function addAdPeople(lab: Lab, label: string): Promise<AdPeople> {
  const tag = `${label}${randomBytes(3).toString('hex')}`;
  const users = `CN=Users,${lab.baseDn}`;
  const mail = (who: string) => `${who}.${tag}@contoso.test`;
  const memberSam = `pm-${tag}`;
  const memberDn = await lab.addUser(memberSam, { extra: { mail: [mail('carla')] } });
  const outsiderSam = `po-${tag}`;
  await lab.addUser(outsiderSam, { extra: { mail: [mail('dan')] } });
  const disabledDn = await lab.addUser(`pd-${tag}`, { uac: 514, extra: { mail: [mail('erin')] } });
  const shared1 = await lab.addUser(`ps1-${tag}`, { extra: { mail: [mail('shared')] } });
  const shared2 = await lab.addUser(`ps2-${tag}`, { extra: { mail: [mail('shared')] } });
  const innerDn = `CN=krbops inner ${tag},${users}`;
  const groupDn = `CN=Kerberos Ops ${tag},${users}`;
  const group = (dn: string, sam: string, members: string[]) =>
    [`dn: ${dn}`, 'changetype: add', 'objectClass: group', `sAMAccountName: ${sam}`, ...members.map((m) => `member: ${m}`)].join('\n') + '\n\n';
  await lab.ldbModify(group(innerDn, `gi-${tag}`, [memberDn, disabledDn, shared1, shared2]) + group(groupDn, `go-${tag}`, [innerDn]));
  return {
    groupDn,
    innerDn,
    member: { sam: memberSam, email: mail('carla'), upn: `${memberSam}@contoso.test` },
    outsider: { sam: outsiderSam, email: mail('dan') },
    disabled: { email: mail('erin') },
    shared: { email: mail('shared') },
  };
}
