import { describe, expect, it } from 'vitest';
import { parseIisConfig } from '../../src/collectors/iis-config.js';

/** `appcmd list config -section:system.webServer/security/authentication/windowsAuthentication` on IIS 10. */
const APPCMD_XML = `<system.webServer>
  <security>
    <authentication>
      <windowsAuthentication enabled="true" useKernelMode="true" useAppPoolCredentials="false" authPersistNonNTLM="true">
        <providers>
          <add value="Negotiate" />
          <add value="NTLM" />
        </providers>
        <extendedProtection tokenChecking="None" />
      </windowsAuthentication>
    </authentication>
  </security>
</system.webServer>`;

/** `appcmd list config "Default Web Site" -section:windowsAuthentication /text:*` */
const APPCMD_TEXT = `CONFIG
  CONFIG.SECTION:"system.webServer/security/authentication/windowsAuthentication"
  path:"MACHINE/WEBROOT/APPHOST/Default Web Site"
  overrideMode:"Inherit"
  locked:"false"
  [system.webServer/security/authentication/windowsAuthentication]
    authPersistNonNTLM:"true"
    authPersistSingleRequest:"false"
    enabled:"true"
    useAppPoolCredentials:"true"
    useKernelMode:"true"
    [extendedProtection]
      flags:"None"
      tokenChecking:"None"
    [providers]
      [add]
        value:"Negotiate"
      [add]
        value:"NTLM"`;

/** An applicationHost.config fragment: server level, a site override, an app pool, keep-alive off. */
const APPHOST = `<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <system.applicationHost>
    <applicationPools>
      <add name="CRMAppPool" managedRuntimeVersion="v4.0">
        <processModel identityType="SpecificUser" userName="CONTOSO\\crmweb" password="[enc:IISWASOnlyCngProvider:c2VjcmV0:enc]" />
      </add>
    </applicationPools>
  </system.applicationHost>
  <system.webServer>
    <security><authentication>
      <windowsAuthentication enabled="false" />
    </authentication></security>
  </system.webServer>
  <location path="Microsoft Dynamics CRM" overrideMode="Allow">
    <system.webServer>
      <httpProtocol allowKeepAlive="false" />
      <security><authentication>
        <windowsAuthentication enabled="true" useAppPoolCredentials="true">
          <providers><clear /><add value="NTLM" /><add value="Negotiate:Kerberos" /><remove value="NTLM" /></providers>
        </windowsAuthentication>
      </authentication></security>
    </system.webServer>
  </location>
</configuration>`;

describe('parseIisConfig', () => {
  it('reads appcmd list config XML output', () => {
    const ev = parseIisConfig(APPCMD_XML);
    expect(ev).toMatchObject({ ok: true, format: 'xml', source: 'option' });
    expect(ev.effective).toEqual({ enabled: true, useKernelMode: true, useAppPoolCredentials: false, authPersistNonNTLM: true, providers: ['Negotiate', 'NTLM'] });
  });

  it('reads appcmd /text:* output with the site path', () => {
    const ev = parseIisConfig(APPCMD_TEXT, 'file');
    expect(ev).toMatchObject({ ok: true, format: 'appcmd-text', source: 'file' });
    expect(ev.effective).toEqual({ location: 'Default Web Site', enabled: true, useKernelMode: true, useAppPoolCredentials: true, authPersistNonNTLM: true, providers: ['Negotiate', 'NTLM'] });
  });

  it('reads an applicationHost.config fragment: locations merged over the server level, provider clear/remove, keep-alive, app pool identity without its password', () => {
    const ev = parseIisConfig(APPHOST);
    expect(ev.ok).toBe(true);
    expect(ev.sections).toHaveLength(2);
    expect(ev.effective).toEqual({ location: 'Microsoft Dynamics CRM', enabled: true, useAppPoolCredentials: true, providers: ['Negotiate:Kerberos'] });
    expect(ev.allowKeepAlive).toBe(false);
    expect(ev.appPools).toEqual([{ name: 'CRMAppPool', identityType: 'SpecificUser', userName: 'CONTOSO\\crmweb' }]);
    expect(JSON.stringify(ev)).not.toContain('enc:');
  });

  it('reads text whose quotes chat removed or curled', () => {
    const stripped = parseIisConfig('<windowsAuthentication enabled=true useKernelMode=true useAppPoolCredentials=false> <providers> <add value=NTLM /> </providers>');
    expect(stripped).toMatchObject({ ok: true, format: 'loose' });
    expect(stripped.effective).toEqual({ enabled: true, useKernelMode: true, useAppPoolCredentials: false, providers: ['NTLM'] });
    expect(stripped.warnings[0]).toContain('not well-formed XML');
    const curly = parseIisConfig('<windowsAuthentication enabled=“true” useKernelMode=“true” useAppPoolCredentials=“true” />');
    expect(curly.effective).toMatchObject({ useAppPoolCredentials: true });
    const teams = parseIisConfig('&lt;windowsAuthentication enabled="true" useAppPoolCredentials="true" /&gt;');
    expect(teams.effective).toMatchObject({ enabled: true, useAppPoolCredentials: true });
  });

  it('leaves unstated attributes undefined so the rules apply the IIS defaults', () => {
    const ev = parseIisConfig('<windowsAuthentication enabled="true" />');
    expect(ev.effective).toEqual({ enabled: true });
  });

  it('refuses DOCTYPE and entity declarations instead of expanding them', () => {
    const ev = parseIisConfig('<!DOCTYPE x [<!ENTITY a "aaaa">]><windowsAuthentication enabled="&a;" />');
    expect(ev).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('answers ok:false with what to paste when nothing useful is there', () => {
    const ev = parseIisConfig('hello, this is not IIS config');
    expect(ev.ok).toBe(false);
    expect(ev.error?.message).toContain('appcmd list config -section:system.webServer/security/authentication/windowsAuthentication');
    expect(parseIisConfig('   ').error?.code).toBe('INVALID_INPUT');
    expect(parseIisConfig('x'.repeat(600 * 1024)).error?.code).toBe('INVALID_INPUT');
  });

  it('warns when several sites were pasted', () => {
    const ev = parseIisConfig('<location path="A"><windowsAuthentication enabled="true" /></location><location path="B/app"><windowsAuthentication enabled="false" /></location>');
    expect(ev.warnings.join(' ')).toContain('several sites');
    expect(ev.effective).toEqual({ location: 'B/app', enabled: false });
  });
});
