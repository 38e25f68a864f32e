/** The one fix-command builder (src/fix): ordinary values print as typed, others are quoted or refused. */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { ad, adfs, appcmd, cmdArg, curl, IIS_SECTION, kdc, krbops, ktpass, ktutil, nslookup, psArg, repadmin, setspn, shArg, UnsafeCommandValueError, w32tm } from '../../src/fix/index.js';

const refused = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UnsafeCommandValueError);
    expect((e as UnsafeCommandValueError).code).toBe(ErrorCode.UnsafeCommandValue);
    return;
  }
  throw new Error('expected UnsafeCommandValueError');
};

describe('setspn (cmd.exe)', () => {
  it('prints plain SPNs and accounts bare, quotes an account with a space', () => {
    expect(setspn.add('HTTP/crm.contoso.com', 'CONTOSO\\crmweb')).toBe('setspn -S HTTP/crm.contoso.com CONTOSO\\crmweb');
    expect(setspn.remove('MSSQLSvc/sql1.contoso.com:1433', 'NDSQL1$')).toBe('setspn -D MSSQLSvc/sql1.contoso.com:1433 NDSQL1$');
    expect(setspn.add('HTTP/crm', 'CONTOSO\\svc crm')).toBe('setspn -S HTTP/crm "CONTOSO\\svc crm"');
    expect(setspn.query('HTTP/crm')).toBe('setspn -Q HTTP/crm');
    expect(setspn.change({ action: 'remove', spn: 'HTTP/crm', account: 'crmweb' }, 'CONTOSO')).toBe('setspn -D HTTP/crm CONTOSO\\crmweb');
  });
  it('keeps placeholders for the engineer to fill in, quoted so that cmd.exe never reads < > as redirections', () => {
    expect(setspn.add('HTTP/crm', 'CONTOSO\\<app-pool-account>')).toBe('setspn -S HTTP/crm "CONTOSO\\<app-pool-account>"');
    expect(setspn.remove('HTTP/crm', '<other account>')).toBe('setspn -D HTTP/crm "<other account>"');
  });
  it('refuses an SPN that starts with "-" or carries shell characters, and hostile account names', () => {
    refused(() => setspn.add('-D', 'crmweb'));
    refused(() => setspn.query('HTTP/crm&calc'));
    refused(() => setspn.add('HTTP/crm', 'crm"&calc&"'));
    refused(() => setspn.add('HTTP/crm', 'crm%PATH%'));
    refused(() => setspn.add('HTTP/crm', 'crm\r\ncalc'));
  });
});

describe('quoting per shell', () => {
  it('cmd.exe: quotes what it must, refuses what it cannot', () => {
    expect(cmdArg('Default Web Site/crm')).toBe('"Default Web Site/crm"');
    refused(() => cmdArg('a!b'));
    refused(() => cmdArg('ends\\'.concat(' x\\')));
  });
  it('PowerShell: literal single quotes, all four quote characters doubled, never a bare leading "-"', () => {
    expect(psArg('crmweb')).toBe('crmweb');
    expect(psArg('NDCRMSRV1$')).toBe("'NDCRMSRV1$'");
    expect(psArg("o'brien\u2019; calc")).toBe("'o''brien\u2019\u2019; calc'");
    expect(psArg('-Confirm')).toBe("'-Confirm'");
  });
  it('sh: single quotes with the quote escaped', () => {
    expect(shArg('http://crm.contoso.com/')).toBe('http://crm.contoso.com/');
    expect(shArg("a b'c")).toBe("'a b'\\''c'");
  });
});

describe('values are what they claim', () => {
  it('hosts are DNS names or IP literals', () => {
    expect(nslookup('10.0.0.5')).toBe('nslookup 10.0.0.5');
    expect(nslookup('crm.contoso.com')).toBe('nslookup crm.contoso.com');
    expect(w32tm.stripchart('dc1.contoso.com')).toBe('w32tm /stripchart /computer:dc1.contoso.com /samples:3 /dataonly');
    refused(() => nslookup('crm.contoso.com & calc'));
    refused(() => w32tm.stripchart('-?'));
  });
  it('URLs are http(s)', () => {
    expect(curl.head('http://crm.contoso.com/')).toBe('curl -sI http://crm.contoso.com/');
    expect(curl.head('http://crm.contoso.com/a?b=1&c=2')).toBe("curl -sI 'http://crm.contoso.com/a?b=1&c=2'");
    refused(() => curl.head('file:///etc/passwd'));
  });
  it('AD and AD FS cmdlets', () => {
    expect(ad.enable('NDCRMSRV1$')).toBe("Enable-ADAccount -Identity 'NDCRMSRV1$'");
    expect(ad.setAccountControl('crmweb', 'TrustedForDelegation', true)).toBe('Set-ADAccountControl -Identity crmweb -TrustedForDelegation $true');
    expect(adfs.updateRelyingPartyTrust('CRM')).toBe('Update-AdfsRelyingPartyTrust -TargetName "CRM"');
    expect(adfs.updateRelyingPartyTrust('CRM $(calc)')).toBe("Update-AdfsRelyingPartyTrust -TargetName 'CRM $(calc)'");
    refused(() => ad.enable('crm;calc'));
  });
  it('appcmd quotes the site path and takes settings only from its own builders', () => {
    expect(appcmd.setConfig('Default Web Site', IIS_SECTION.windowsAuthentication, appcmd.attribute('useAppPoolCredentials', true))).toBe(
      '%windir%\\system32\\inetsrv\\appcmd.exe set config "Default Web Site" -section:system.webServer/security/authentication/windowsAuthentication -useAppPoolCredentials:true /commit:apphost',
    );
    refused(() => appcmd.setConfig('Site" & calc & "', IIS_SECTION.httpProtocol, appcmd.attribute('allowKeepAlive', true)));
    refused(() => appcmd.attribute('enabled', 'true & calc'));
  });
});

describe('keytabs, replication and krbops itself', () => {
  it('ktutil: the MIT session of a password-derived key, with the AD salt; hostile values refused', () => {
    expect(ktutil.addPasswordKey({ principal: 'HTTP/crm.contoso.com@CONTOSO.COM', kvno: '<kvno>', enctype: 'aes256-cts-hmac-sha1-96', salt: 'CONTOSO.COMcrmweb', file: 'crmweb.keytab' })).toEqual([
      'ktutil',
      'addent -password -p HTTP/crm.contoso.com@CONTOSO.COM -k <kvno> -e aes256-cts-hmac-sha1-96 -s CONTOSO.COMcrmweb',
      'wkt crmweb.keytab',
      'quit',
    ]);
    expect(ktutil.addPasswordKey({ principal: 'HTTP/a@R', kvno: 3, enctype: 'aes128-cts-hmac-sha1-96', file: 'a.keytab' })[1]).toBe('addent -password -p HTTP/a@R -k 3 -e aes128-cts-hmac-sha1-96');
    const bad = (o: Partial<Parameters<typeof ktutil.addPasswordKey>[0]>) => () => ktutil.addPasswordKey({ principal: 'HTTP/a@R', kvno: 1, enctype: 'aes256-cts-hmac-sha1-96', file: 'a.keytab', ...o });
    expect(bad({ principal: 'HTTP/a b@R' })).toThrow(UnsafeCommandValueError);
    expect(bad({ principal: '-p@R' })).toThrow(UnsafeCommandValueError);
    expect(bad({ kvno: '1; rm' })).toThrow(UnsafeCommandValueError);
    expect(bad({ kvno: -1 })).toThrow(UnsafeCommandValueError);
    expect(bad({ salt: 'CONTOSO.COMsvc x' })).toThrow(UnsafeCommandValueError);
    expect(bad({ file: '../x y.keytab' })).toThrow(UnsafeCommandValueError);
  });

  it('ktpass, repadmin, the machine password and the KDC switch', () => {
    expect(ktpass.keytab({ principal: 'HTTP/crm.contoso.com@CONTOSO.COM', account: 'CONTOSO\\crmweb', out: 'crmweb.keytab' })).toBe('ktpass /princ HTTP/crm.contoso.com@CONTOSO.COM /mapuser CONTOSO\\crmweb /crypto AES256-SHA1 /ptype KRB5_NT_PRINCIPAL /pass * /out crmweb.keytab');
    expect([repadmin.syncAll(), repadmin.showRepl(), ad.resetComputerMachinePassword(), ad.resetPassword('krbtgt')]).toEqual(['repadmin /syncall /AdeP', 'repadmin /showrepl', 'Reset-ComputerMachinePassword', 'Set-ADAccountPassword -Identity krbtgt -Reset']);
    expect(kdc.rc4DefaultDisablementPhase()).toBe('Get-ItemProperty HKLM:\\SYSTEM\\CurrentControlSet\\Services\\Kdc -Name RC4DefaultDisablementPhase');
    expect(() => ad.resetPassword("svc'; Remove-ADUser x")).toThrow(UnsafeCommandValueError);
  });

  it('krbops: next-check lines quote a pasted URL and placeholders for sh, refuse what is not a URL', () => {
    expect(krbops.why401('http://crm.contoso.com')).toBe('krbops krb why-401 http://crm.contoso.com/');
    expect(krbops.why401('<url>', { identity: '<app pool account>', backend: 'MSSQLSvc/<sql host>:1433' })).toBe("krbops krb why-401 '<url>' --identity '<app pool account>' --backend 'MSSQLSvc/<sql host>:1433'");
    expect(krbops.why401("http://crm.contoso.com/a?b=1&c=$(id)")).toBe("krbops krb why-401 'http://crm.contoso.com/a?b=1&c=$(id)'");
    expect(() => krbops.why401('javascript:alert(1)')).toThrow(UnsafeCommandValueError);
    // Placeholders are quoted like any value with < > in it (bare, sh would read redirections).
    expect(krbops.spnQuery('HTTP/<host>')).toBe("krbops spn query 'HTTP/<host>'");
    expect(curl.head('<url>')).toBe("curl -sI '<url>'");
  });
});
