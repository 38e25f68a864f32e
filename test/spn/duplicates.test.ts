import { describe, expect, it } from 'vitest';
import { SpnIndex } from '../../src/spn/duplicates.js';

const acct = (sam: string) => ({ dn: `CN=${sam},CN=Users,DC=contoso,DC=test`, sAMAccountName: sam });

describe('SpnIndex', () => {
  it('reports an SPN held by two accounts, case-insensitively', () => {
    const idx = new SpnIndex();
    idx.add(acct('crmweb'), ['HTTP/crm.contoso.test', 'HTTP/crm']);
    idx.add(acct('crmweb2'), ['http/CRM.contoso.test']);
    idx.add(acct('sqlservice'), ['MSSQLSvc/ndsqlsrv1:1433']);
    const d = idx.duplicates();
    expect(d).toHaveLength(1);
    expect(d[0].spn).toBe('HTTP/crm.contoso.test');
    expect(d[0].accounts.map((a) => a.sAMAccountName)).toEqual(['crmweb', 'crmweb2']);
    expect(idx.accountCount).toBe(3);
    expect(idx.spnCount).toBe(4);
  });

  it('does not count an SPN repeated on the same account as a duplicate', () => {
    const idx = new SpnIndex();
    idx.add(acct('a'), ['HTTP/x', 'http/X']);
    expect(idx.duplicates()).toEqual([]);
  });

  it('ignores allow-listed SPNs (kadmin/changepw by default in config)', () => {
    const idx = new SpnIndex(['kadmin/changepw']);
    idx.add(acct('krbtgt'), ['kadmin/changepw']);
    idx.add(acct('krbtgt_123'), ['kadmin/changepw']);
    expect(idx.duplicates()).toEqual([]);
  });

  it('reports HTTP/x on one account while HOST/x sits on another (setspn -X misses it)', () => {
    const idx = new SpnIndex();
    idx.add(acct('NDCRMSRV2$'), ['HOST/ndcrmsrv2.contoso.test', 'HOST/ndcrmsrv2']);
    idx.add(acct('crmweb'), ['HTTP/ndcrmsrv2.contoso.test']);
    idx.add(acct('NDCRMSRV3$'), ['HOST/ndcrmsrv3.contoso.test', 'HTTP/ndcrmsrv3.contoso.test']);
    const c = idx.aliasCollisions(new Map([['http', 'host']]));
    expect(c).toHaveLength(1);
    expect(c[0]).toMatchObject({ spn: 'HTTP/ndcrmsrv2.contoso.test', aliasOf: 'HOST/ndcrmsrv2.contoso.test' });
    expect(c[0].serviceAccounts[0].sAMAccountName).toBe('crmweb');
    expect(c[0].hostAccounts[0].sAMAccountName).toBe('NDCRMSRV2$');
  });
});
