import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { findSite, loadInventory, parseInventory } from '../../src/inventory.js';

const YAML = `
sites:
  - url: http://crm.contoso.test/
    identity: CONTOSO\\crmweb
    iisSite: Microsoft Dynamics CRM
    nlbNodes: [ndcrmsrv1.contoso.test, ndcrmsrv2.contoso.test, ndcrmsrv3.contoso.test]
    backends: [MSSQLSvc/ndsqlsrv1.contoso.test:1433]
  - url: http://crm.contoso.test/reports
    identity: rptservice
  - url: reports.contoso.test
    identity: rptservice
`;

describe('inventory', () => {
  it('maps a URL to its identity, NLB nodes, backends and IIS site', () => {
    const inv = parseInventory(YAML);
    expect(findSite(inv, new URL('http://CRM.contoso.test/main.aspx'))).toMatchObject({
      identity: 'CONTOSO\\crmweb',
      iisSite: 'Microsoft Dynamics CRM',
      nlbNodes: ['ndcrmsrv1.contoso.test', 'ndcrmsrv2.contoso.test', 'ndcrmsrv3.contoso.test'],
      backends: ['MSSQLSvc/ndsqlsrv1.contoso.test:1433'],
    });
  });

  it('prefers the longest matching path and needs the same scheme and port', () => {
    const inv = parseInventory(YAML);
    expect(findSite(inv, new URL('http://crm.contoso.test/reports/x'))?.identity).toBe('rptservice');
    expect(findSite(inv, new URL('http://crm.contoso.test/reportsX'))?.identity).toBe('CONTOSO\\crmweb');
    expect(findSite(inv, new URL('http://reports.contoso.test/'))?.identity).toBe('rptservice');
    expect(findSite(inv, new URL('https://crm.contoso.test/'))).toBeUndefined();
    expect(findSite(inv, new URL('http://crm.contoso.test:8080/'))).toBeUndefined();
  });

  it('rejects an invalid backend SPN, naming the entry', () => {
    expect(() => parseInventory('sites:\n  - url: http://a/\n    backends: ["MSSQLSvc no slash"]\n')).toThrow(/sites\.0\.backends\.0: .*not a valid SPN/);
  });

  it('rejects unknown keys, bad YAML and bad URLs with ConfigError(KRBOPS_INVENTORY)', () => {
    for (const text of ['site: []', 'sites: [', 'sites:\n  - url: "http://[::1"\n']) {
      let err: unknown;
      try {
        parseInventory(text);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).variable).toBe('KRBOPS_INVENTORY');
    }
  });

  it('reads the file and re-reads it when it changes', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'krbops-inv-'));
    const file = path.join(dir, 'krbops.yaml');
    writeFileSync(file, YAML);
    expect((await loadInventory(file)).sites).toHaveLength(3);
    writeFileSync(file, 'sites: []\n');
    const { utimesSync } = await import('node:fs');
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    expect((await loadInventory(file)).sites).toHaveLength(0);
    await expect(loadInventory(path.join(dir, 'missing.yaml'))).rejects.toThrow(/KRBOPS_INVENTORY: .*cannot be read \(ENOENT\)/);
  });
});
