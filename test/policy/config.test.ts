import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAccessPolicy } from '../../src/policy/config.js';
import { evaluate } from '../../src/policy/evaluate.js';
import { loadInventory } from '../../src/inventory.js';

function yamlFile(text: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'krbops-access-')), 'krbops.yaml');
  writeFileSync(file, text);
  return file;
}

describe('access policy from krbops.yaml', () => {
  const file = yamlFile(`
sites:
  - url: http://crm.contoso.test/
    identity: CONTOSO\\crmweb
access:
  contact: "#identity-team"
  rules:
    - commands: [spn, why-401]
      channels: [slack:C0INCIDENT, dm]
      groups: ["CN=Kerberos Ops,OU=Groups,DC=contoso,DC=test"]
    - commands: [adfs]
      users: [teams:aad-tina]
`);

  it('adds the section\'s rules to the defaults and keeps the inventory readable', async () => {
    const p = loadAccessPolicy({ KRBOPS_INVENTORY: file });
    expect(p.contact).toBe('#identity-team');
    expect(p.rules).toHaveLength(3);
    expect(evaluate(p, { capability: 'spn', asker: { surface: 'slack', id: 'U1' }, place: { surface: 'slack', channelId: 'D1', direct: true } })).toEqual({
      needsGroups: ['cn=kerberos ops,ou=groups,dc=contoso,dc=test'],
    });
    expect(evaluate(p, { capability: 'adfs', asker: { surface: 'teams', id: 'aad-tina' }, place: { surface: 'teams', channelId: '19:x@thread.tacv2', direct: false } })).toEqual({ allowed: true });
    const inventory = await loadInventory(file);
    expect(inventory.sites[0].identity).toBe('CONTOSO\\crmweb');
  });

  it('refuses an unknown command name, naming the file', () => {
    const bad = yamlFile('access:\n  rules:\n    - commands: [spn, format-c]\n');
    expect(() => loadAccessPolicy({ KRBOPS_INVENTORY: bad })).toThrow(/KRBOPS_INVENTORY.*access\.rules\.0\.commands\.1/);
  });
});
