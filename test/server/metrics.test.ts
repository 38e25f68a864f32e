import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, requireLdap } from '../../src/config.js';
import { openDirectory } from '../../src/directory/ldap-directory.js';
import { DirectoryTimeoutError, InvalidInputError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { escapeLabel, instrumentDirectory, Metrics } from '../../src/metrics.js';
import { labEnv, type Lab } from '../helpers/lab-env.js';

describe('Metrics', () => {
  it('renders counters and histograms in the Prometheus text format, labels escaped', () => {
    const m = new Metrics();
    m.observeCommand('krb why-401', 'teams', 0.3);
    m.observeCommand('krb why-401', 'teams', 4, new DirectoryTimeoutError('dc1 timed out', { server: 'ldaps://dc1' }));
    m.observeJob('dupes-watch', 'ok', 2);
    m.commands.inc({ command: 'say "hi"\\\n', surface: 'cli', outcome: 'ok' });
    const text = m.render();
    expect(text).toContain('krbops_commands_total{command="krb why-401",outcome="ok",surface="teams"} 1\n');
    expect(text).toContain('krbops_commands_total{command="krb why-401",outcome="directory_timeout",surface="teams"} 1\n');
    expect(text).toContain('krbops_command_duration_seconds_bucket{command="krb why-401",le="0.25"} 0\n');
    expect(text).toContain('krbops_command_duration_seconds_bucket{command="krb why-401",le="0.5"} 1\n');
    expect(text).toContain('krbops_command_duration_seconds_bucket{command="krb why-401",le="5"} 2\n');
    expect(text).toContain('krbops_command_duration_seconds_sum{command="krb why-401"} 4.3\n');
    expect(text).toContain('krbops_ldap_errors_total{code="DIRECTORY_TIMEOUT"} 1\n');
    expect(text).toContain('krbops_job_runs_total{job="dupes-watch",outcome="ok"} 1\n');
    expect(text).toMatch(/krbops_job_last_success_timestamp_seconds\{job="dupes-watch"\} \d{10}\n/);
    expect(text).toContain(`command="say \\"hi\\"\\\\\\n"`);
    expect(escapeLabel('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
    expect(text).toContain('# TYPE krbops_ldap_errors_total counter\n');
  });

  it('records a command from a surface observation (Slack\'s observe hook)', () => {
    const m = new Metrics();
    m.recordCommand({ surface: 'slack', command: 'spn list', outcome: 'ok', durationMs: 120 });
    m.recordCommand({ surface: 'slack', command: 'spn list', outcome: 'error', code: 'DIRECTORY_AUTH', durationMs: 40 });
    m.recordCommand({ surface: 'teams', command: 'invalid', outcome: 'error', code: 'COMMAND_USAGE', durationMs: 1 });
    expect(m.commands.get({ command: 'spn list', surface: 'slack', outcome: 'ok' })).toBe(1);
    expect(m.commands.get({ command: 'spn list', surface: 'slack', outcome: 'directory_auth' })).toBe(1);
    expect(m.commands.get({ command: 'invalid', surface: 'teams', outcome: 'command_usage' })).toBe(1);
    expect(m.ldapErrors.get({ code: 'DIRECTORY_AUTH' })).toBe(1);
    expect(m.render()).toContain('krbops_command_duration_seconds_count{command="spn list"} 2\n');
  });

  it('times a command and rethrows its error; only directory errors count as LDAP errors', async () => {
    const m = new Metrics();
    await expect(m.timeCommand('spn query', 'slack', async () => Promise.reject(new InvalidInputError('bad SPN')))).rejects.toThrow('bad SPN');
    expect(m.commands.get({ command: 'spn query', surface: 'slack', outcome: 'invalid_input' })).toBe(1);
    expect(m.render()).not.toContain('krbops_ldap_errors_total{');
    expect(await m.timeCommand('spn query', 'slack', async () => 42)).toBe(42);
  });
});

describe('instrumentDirectory (the LDAP directory against the lab)', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await labEnv();
  }, 180_000);

  it('counts directory errors of promise methods and of streamed scans by code, and passes results through', async () => {
    const m = new Metrics();
    const d = instrumentDirectory(await openDirectory(requireLdap(loadConfig(lab.env())), silentLogger), m);
    try {
      expect((await d.info()).defaultNamingContext).toBe('DC=contoso,DC=test');
      // A watermark that is not a number is refused before anything is sent: DIRECTORY_PROTOCOL.
      const drain = async (it: AsyncIterable<unknown>) => {
        for await (const _ of it) void _;
      };
      await expect(drain(d.changedSince('12; drop'))).rejects.toMatchObject({ code: 'DIRECTORY_PROTOCOL' });
      await expect(drain(d.scanSpns({ changedAfterUsn: 'abc' }))).rejects.toMatchObject({ code: 'DIRECTORY_PROTOCOL' });
      // Not found is an answer, not an LDAP error.
      await expect(d.findAccount('no-such-account-krbops')).rejects.toMatchObject({ code: 'ACCOUNT_NOT_FOUND' });
      expect((await d.spnHolders('HTTP/crm.contoso.test')).map((h) => h.sAMAccountName).sort()).toEqual(['crmweb', 'crmweb2']);
      expect(m.ldapErrors.get({ code: 'DIRECTORY_PROTOCOL' })).toBe(2);
      expect(m.render()).not.toContain('ACCOUNT_NOT_FOUND');
    } finally {
      await d.close();
    }
  });
});
