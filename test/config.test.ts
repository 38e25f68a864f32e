import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, redactedConfig, requireLdap } from '../src/config.js';
import { ConfigError } from '../src/errors.js';

const base = { LDAP_URL: 'ldaps://dc1.contoso.test:636,ldaps://dc2.contoso.test', LDAP_BIND_DN: 'krbops@contoso.test', LDAP_BIND_PASSWORD: 's3cret!' };

describe('loadConfig', () => {
  it('reads several DCs in order with defaults', () => {
    const c = loadConfig(base);
    expect(c.ldap).toMatchObject({ urls: ['ldaps://dc1.contoso.test:636', 'ldaps://dc2.contoso.test'], timeoutMs: 5000, scanTimeoutMs: 300_000, pageSize: 500, tlsRejectUnauthorized: true });
    expect(loadConfig({ ...base, LDAP_SCAN_TIMEOUT_MS: '900000' }).ldap?.scanTimeoutMs).toBe(900_000);
    expect(c.dupesAllowList).toEqual(['kadmin/changepw']);
    expect(c.dupesRecheckPerRun).toBe(500);
    expect(c.server).toEqual({ port: 3978, host: '127.0.0.1' });
  });
  it('reads KRBOPS_LDIF_THREADS (1–16; unset: the index chooses, one thread) and names it when wrong', () => {
    expect(loadConfig(base).ldifThreads).toBeUndefined();
    expect(loadConfig({ ...base, KRBOPS_LDIF_THREADS: '3' }).ldifThreads).toBe(3);
    for (const bad of ['0', '17', 'two']) expect(() => loadConfig({ ...base, KRBOPS_LDIF_THREADS: bad }), bad).toThrow(/KRBOPS_LDIF_THREADS/);
  });
  it('reads the password from a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'krbops-'));
    writeFileSync(join(dir, 'pw'), 'from-file\n');
    const { LDAP_BIND_PASSWORD: _, ...rest } = base;
    expect(loadConfig({ ...rest, LDAP_BIND_PASSWORD_FILE: join(dir, 'pw') }).ldap?.bindPassword).toBe('from-file');
  });
  it.each([
    [{ ...base, LDAP_URL: 'http://dc1' }, 'LDAP_URL'],
    [{ ...base, LDAP_BIND_DN: '' }, 'LDAP_BIND_DN'],
    [{ ...base, LDAP_BIND_PASSWORD: '' }, 'LDAP_BIND_PASSWORD'],
    [{ ...base, LDAP_TIMEOUT_MS: 'soon' }, 'LDAP_TIMEOUT_MS'],
    [{ ...base, LDAP_PAGE_SIZE: '5000' }, 'LDAP_PAGE_SIZE'],
    [{ ...base, LDAP_SCAN_TIMEOUT_MS: '2h' }, 'LDAP_SCAN_TIMEOUT_MS'],
    [{ ...base, KRBOPS_DUPES_RECHECK_PER_RUN: '0' }, 'KRBOPS_DUPES_RECHECK_PER_RUN'],
    [{ ...base, LDAP_TLS_REJECT_UNAUTHORIZED: 'nope' }, 'LDAP_TLS_REJECT_UNAUTHORIZED'],
    [{ ...base, LDAP_CA_FILE: '/nonexistent/ca.pem' }, 'LDAP_CA_FILE'],
    [{ MicrosoftAppId: 'x', MicrosoftAppType: 'SingleTenant' }, 'MicrosoftAppTenantId'],
    [{ KRBOPS_ADFS_EXPECTED_THUMBPRINTS: 'crm=XYZ' }, 'KRBOPS_ADFS_EXPECTED_THUMBPRINTS'],
  ])('names the variable in the error (%#)', (env, variable) => {
    try {
      loadConfig(env as NodeJS.ProcessEnv);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).variable).toBe(variable);
      expect((e as Error).message).not.toContain('s3cret!');
    }
  });
  it('asks for LDAP_URL when the directory is needed and not configured', () => {
    expect(() => requireLdap(loadConfig({}))).toThrow(/LDAP_URL/);
  });
  it('never shows secrets in the printed configuration', () => {
    const shown = JSON.stringify(redactedConfig(loadConfig({ ...base, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'sig' })));
    expect(shown).not.toContain('s3cret!');
    expect(shown).not.toContain('xoxb-test');
    expect(shown).not.toContain('"sig"');
    expect(shown).toContain('[redacted]');
  });
  it('parses expected ADFS thumbprints per relying party', () => {
    const t = '2CA67C00EBD5D4E5000AC5A814C829222FB776B6';
    expect(loadConfig({ KRBOPS_ADFS_EXPECTED_THUMBPRINTS: `crm=${t.toLowerCase()}` }).adfs.expectedThumbprints).toEqual({ crm: [t] });
  });
});
