import { fileURLToPath } from 'node:url';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import adfsCheck from '../../commands/adfs-check.js';
import type { AdfsCheckResult } from '../../src/model/index.js';
import { commands } from '../../commands/index.js';
import { loadCommand } from '../../commands/lazy.js';
import { resolveCommand } from '../../commands/parse.js';
import { main } from '../../src/cli.js';
import { loadConfig } from '../../src/config.js';
import { createContext } from '../../src/core.js';
import { CommandUsageError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { parseMetadata } from '../../src/adfs/parse.js';
import { makeServerCert, type TestCert } from '../helpers/tls.js';
import { scratchDir, startHttpsServer, type TestServer } from './support.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/adfs/ucar-adfs-FederationMetadata.xml', import.meta.url));
const UCAR_SIGNING = '2CA67C00EBD5D4E5000AC5A814C829222FB776B6';
const UCAR_ENCRYPTION = '0F73F4C5A5C93F1CE5C9A3328E0E0D5108D44191';

async function cli(argv: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; out: string; err: string }> {
  const saved = { ...process.env };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  let out = '';
  let err = '';
  try {
    const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s) });
    return { code, out, err };
  } finally {
    process.env = saved;
  }
}

describe('adfs check', () => {
  const s = scratchDir();
  let tlsCert: TestCert;
  let server: TestServer;
  const fixtureXml = readFileSync(FIXTURE, 'utf8');

  beforeAll(async () => {
    tlsCert = makeServerCert(['127.0.0.1']);
    server = await startHttpsServer(tlsCert, {
      '/FederationMetadata/2007-06/FederationMetadata.xml': (_q, r) => r.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(fixtureXml),
      '/hang': () => undefined,
    });
  });
  afterAll(async () => {
    await server.close();
    rmSync(tlsCert.dir, { recursive: true, force: true });
    s.cleanup();
  });

  it('is in the registry as "adfs check [source]"', async () => {
    const r = resolveCommand(commands, ['adfs', 'check', 'https://adfs.contoso.com/FederationMetadata/2007-06/FederationMetadata.xml']);
    expect(await loadCommand(r.command)).toBe(adfsCheck);
    expect(r.args.positionals.source).toMatch(/^https:/);
  });

  it('prints the JSON document of the issue for a metadata file: both UCAR certificates expired', async () => {
    const { code, out } = await cli(['adfs', 'check', FIXTURE, '--json'], { KRBOPS_ADFS_METADATA_URLS: undefined });
    expect(code).toBe(0);
    const r = JSON.parse(out) as AdfsCheckResult;
    expect(r.kind).toBe('adfs-check');
    const certs = r.certificates.map((c) => ({ use: c.use, subject: c.subject, thumbprint: c.thumbprint, notAfter: c.notAfter, expired: c.expired }));
    expect(certs).toEqual(
      expect.arrayContaining([
        { use: 'signing', subject: 'CN=ADFS Signing - sts.ucar.edu', thumbprint: UCAR_SIGNING, notAfter: '2018-10-01T06:24:30.000Z', expired: true },
        { use: 'encryption', subject: 'CN=ADFS Encryption - sts.ucar.edu', thumbprint: UCAR_ENCRYPTION, notAfter: '2018-10-01T06:24:29.000Z', expired: true },
      ]),
    );
    for (const c of r.certificates) expect(Object.keys(c)).toEqual(expect.arrayContaining(['use', 'subject', 'thumbprint', 'notBefore', 'notAfter', 'daysLeft']));
    expect(r.certificates.every((c) => !('pem' in c))).toBe(true);
    expect(r.findings.map((f) => [f.ruleId, f.thumbprint]).sort()).toEqual([
      ['adfs-cert-expired', UCAR_ENCRYPTION],
      ['adfs-cert-expired', UCAR_SIGNING],
    ]);
    expect(r.sources[0]).toMatchObject({ ok: true, signature: 'no-pin', entityId: 'https://sts.ucar.edu/adfs/services/trust' });
  });

  it('verifies the signature against a certificate given with --pin (PEM or DER .cer)', async () => {
    const pem = parseMetadata(readFileSync(FIXTURE, 'utf8'), { now: new Date() }).certificates.find((c) => c.thumbprint === UCAR_SIGNING)!.pem;
    writeFileSync(join(s.dir, 'signing.pem'), pem);
    writeFileSync(join(s.dir, 'signing.cer'), new X509Certificate(pem).raw);
    for (const file of ['signing.pem', 'signing.cer']) {
      const { code, out } = await cli(['adfs', 'check', FIXTURE, '--pin', join(s.dir, file), '--json']);
      expect(code).toBe(0);
      expect((JSON.parse(out) as AdfsCheckResult).sources[0]).toMatchObject({ signature: 'verified' });
    }
    writeFileSync(join(s.dir, 'junk.pem'), 'not a certificate');
    const bad = await cli(['adfs', 'check', FIXTURE, '--pin', join(s.dir, 'junk.pem')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/does not hold an X\.509 certificate/);
  });

  it('renders the certificates and findings as text', async () => {
    const { code, out } = await cli(['adfs', 'check', FIXTURE]);
    expect(code).toBe(0);
    expect(out).toContain(`thumbprint ${UCAR_SIGNING}`);
    expect(out).toMatch(/EXPIRED \d+ days ago/);
    expect(out).toContain('[CRITICAL] The AD FS token-signing certificate has expired');
    expect(out).toContain('Update-AdfsCertificate -CertificateType Token-Signing -Urgent');
  });

  it('checks the configured URLs when no source is given, over HTTPS with the CA file', async () => {
    const url = server.url('/FederationMetadata/2007-06/FederationMetadata.xml');
    const { code, out } = await cli(['adfs', 'check', '--json'], { KRBOPS_ADFS_METADATA_URLS: url, KRBOPS_ADFS_CA_FILE: tlsCert.caFile });
    expect(code).toBe(0);
    const r = JSON.parse(out) as AdfsCheckResult;
    expect(r.sources.map((x) => x.source)).toEqual([url]);
    expect(r.certificates.map((c) => c.thumbprint).sort()).toEqual([UCAR_ENCRYPTION, UCAR_SIGNING]);
  });

  it('answers an unreachable endpoint with a finding, not a stack trace', async () => {
    const url = server.url('/FederationMetadata/2007-06/FederationMetadata.xml');
    const { code, out, err } = await cli(['adfs', 'check', url]); // no CA file: the server is not trusted
    expect(code).toBe(4); // a dependency is down (README, exit codes)
    expect(err).toBe('');
    expect(out).toMatch(/could not be read: The TLS certificate of 127\.0\.0\.1:\d+ is not trusted/);
    expect(out).toContain('[HIGH] The ADFS federation metadata cannot be fetched');
    expect(out).not.toMatch(/\n\s+at /);
  });

  it('asks for a source when none is given and none is configured', async () => {
    const { code, err } = await cli(['adfs', 'check'], { KRBOPS_ADFS_METADATA_URLS: undefined });
    expect(code).toBe(2);
    expect(err).toMatch(/No metadata source/);
    expect(err).toMatch(/Usage: adfs check \[source\]/);
  });

  describe('from chat', () => {
    const url = () => server.url('/FederationMetadata/2007-06/FederationMetadata.xml');
    const chat = () =>
      createContext(loadConfig({ KRBOPS_ADFS_METADATA_URLS: url(), KRBOPS_ADFS_CA_FILE: tlsCert.caFile }), silentLogger, { surface: 'slack', id: 'U123' });

    it('checks a configured URL', async () => {
      const r = await adfsCheck.run(chat(), { positionals: { source: url() }, options: {} });
      expect(r.sources[0]).toMatchObject({ ok: true });
      expect(r.findings.length).toBe(2);
    });

    it('refuses a file path: chat users must not read files on the bot host', async () => {
      await expect(adfsCheck.run(chat(), { positionals: { source: FIXTURE }, options: {} })).rejects.toBeInstanceOf(CommandUsageError);
    });

    it('refuses a URL that is not configured', async () => {
      const other = server.url('/hang');
      await expect(adfsCheck.run(chat(), { positionals: { source: other }, options: {} })).rejects.toThrow(/only fetches the metadata URLs configured/);
      expect(server.requests).not.toContain('/hang');
    });
  });
});
