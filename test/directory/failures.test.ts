/**
 * A DC that is down, silent, or presents a bad certificate: typed errors, within the timeout,
 * naming the DC, never the password. Uses real sockets on loopback.
 */
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LdapConfig } from '../../src/config.js';
import { openDirectory } from '../../src/directory/ldap-directory.js';
import { DirectoryTimeoutError, DirectoryTlsError, DirectoryUnavailableError, ErrorCode } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { makeServerCert } from '../helpers/tls.js';

const servers: net.Server[] = [];
async function listen(server: net.Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as net.AddressInfo).port;
}
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

let silentPort: number;
let selfSignedPort: number;
let wrongNamePort: number;
let caFile: string;
const silentSockets: net.Socket[] = [];

beforeAll(async () => {
  silentPort = await listen(net.createServer((s) => void silentSockets.push(s))); // accepts, never answers
  const selfSigned = makeServerCert(['dc1.contoso.test', '127.0.0.1']);
  caFile = selfSigned.caFile;
  selfSignedPort = await listen(tls.createServer({ key: selfSigned.key, cert: selfSigned.cert }, (s) => s.end()));
  const wrong = makeServerCert(['other.example']);
  wrongNamePort = await listen(tls.createServer({ key: wrong.key, cert: wrong.cert, ca: [wrong.ca] }, (s) => s.end()));
});
afterAll(async () => {
  silentSockets.forEach((s) => s.destroy());
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

const cfg = (urls: string[], extra: Partial<LdapConfig> = {}): LdapConfig => ({
  urls,
  bindDn: 'krbops@contoso.test',
  bindPassword: 'Very-Secret-Pw1!',
  tlsRejectUnauthorized: true,
  timeoutMs: 1500,
  pageSize: 500,
  ...extra,
});

describe('an unreachable directory', () => {
  it('tries every DC in order and reports each one, without the password', async () => {
    const a = await closedPort();
    const b = await closedPort();
    const err = await openDirectory(cfg([`ldaps://127.0.0.1:${a}`, `ldaps://127.0.0.1:${b}`]), silentLogger).catch((e) => e);
    expect(err).toBeInstanceOf(DirectoryUnavailableError);
    expect(err.message).toContain(`127.0.0.1:${a}: connection refused`);
    expect(err.message).toContain(`127.0.0.1:${b}: connection refused`);
    expect(err.details.servers).toHaveLength(2);
    expect(err.message).not.toContain('Very-Secret-Pw1!');
  });

  it('gives up on a DC that accepts and never answers within the timeout', async () => {
    const started = Date.now();
    const err = await openDirectory(cfg([`ldaps://127.0.0.1:${silentPort}`], { timeoutMs: 1200 }), silentLogger).catch((e) => e);
    const elapsed = Date.now() - started;
    expect(err).toBeInstanceOf(DirectoryUnavailableError);
    expect(err.cause).toBeInstanceOf(DirectoryTimeoutError);
    expect(elapsed).toBeLessThan(3000);
  });
});

describe('TLS problems are named', () => {
  it('refuses a certificate from an untrusted CA and says to set LDAP_CA_FILE', async () => {
    const err = await openDirectory(cfg([`ldaps://127.0.0.1:${selfSignedPort}`]), silentLogger).catch((e) => e);
    expect(err).toBeInstanceOf(DirectoryTlsError);
    expect(err.code).toBe(ErrorCode.DirectoryTls);
    expect(err.message).toMatch(/not trusted \(set LDAP_CA_FILE\)/);
  });

  it('refuses a certificate that does not name the host', async () => {
    const err = await openDirectory(cfg([`ldaps://localhost:${wrongNamePort}`], { caFile: makeServerCert(['x']).caFile }), silentLogger).catch((e) => e);
    expect(err).toBeInstanceOf(DirectoryTlsError);
  });

  it('passes TLS with the right CA (then fails later, at the LDAP layer, on a non-LDAP server)', async () => {
    const err = await openDirectory(cfg([`ldaps://127.0.0.1:${selfSignedPort}`], { caFile }), silentLogger).catch((e) => e);
    expect(err).not.toBeInstanceOf(DirectoryTlsError);
    expect(err).toBeInstanceOf(DirectoryUnavailableError);
  });
});

describe('the CLI with a stopped DC', () => {
  it('exits 3 with a one-line reason naming the DC, within the timeout', async () => {
    const port = await closedPort();
    const started = Date.now();
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'spn', 'list', 'crmweb'], {
      env: { ...process.env, LDAP_URL: `ldaps://127.0.0.1:${port}`, LDAP_BIND_DN: 'x@contoso.test', LDAP_BIND_PASSWORD: 'Very-Secret-Pw1!', LDAP_TIMEOUT_MS: '1000' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(3);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^krbops: No domain controller answered \\(127\\.0\\.0\\.1:${port}: connection refused\\)`));
    expect(r.stderr).not.toContain('Very-Secret-Pw1!');
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('prints the configuration it read with every secret redacted', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'config'], {
      env: { PATH: process.env.PATH, LDAP_URL: 'ldaps://dc1.contoso.test', LDAP_BIND_DN: 'krbops@contoso.test', LDAP_BIND_PASSWORD: 'Very-Secret-Pw1!', SLACK_BOT_TOKEN: 'xoxb-not-a-real-token', SLACK_SIGNING_SECRET: 'sign-me' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    const shown = JSON.parse(r.stdout);
    expect(shown.ldap).toMatchObject({ urls: ['ldaps://dc1.contoso.test'], bindDn: 'krbops@contoso.test', bindPassword: '[redacted]' });
    expect(r.stdout).not.toMatch(/Very-Secret-Pw1!|xoxb-not-a-real-token|sign-me/);
  });

  it('warns on stderr when certificate checks are switched off', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'spn', 'dupes'], {
      env: { ...process.env, LDAP_URL: 'ldaps://127.0.0.1:1', LDAP_BIND_DN: 'x', LDAP_BIND_PASSWORD: 'y', LDAP_TLS_REJECT_UNAUTHORIZED: 'false', LDAP_TIMEOUT_MS: '500' },
      encoding: 'utf8',
    });
    expect(r.stderr).toContain('warning: LDAP_TLS_REJECT_UNAUTHORIZED=false');
    expect(r.status).toBe(3);
  });

  it('exits 2 with usage for bad arguments and names a missing variable', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'spn', 'query', 'not-an-spn'], {
      env: { ...process.env, LDAP_URL: 'ldaps://127.0.0.1:1', LDAP_BIND_DN: 'x', LDAP_BIND_PASSWORD: 'y' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('is not a valid SPN');
    const noEnv = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'spn', 'dupes', '--json'], { env: { PATH: process.env.PATH }, encoding: 'utf8' });
    expect(noEnv.status).toBe(2);
    expect(JSON.parse(noEnv.stdout).error.code).toBe('CONFIG_INVALID');
    expect(noEnv.stderr).toContain('LDAP_URL');
  });
});
