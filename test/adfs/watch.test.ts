/**
 * The watch end to end: a loopback HTTPS server (CA and server certificate from openssl) serves
 * metadata built from openssl token-signing certificates and signed with xml-crypto; the watch
 * fetches, parses, verifies against the pinned certificate, checks and computes the next state.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchAdfsSource } from '../../src/jobs/adfs-watch.js';
import { type AdfsState } from '../../src/model/index.js';
import type { Config } from '../../src/config.js';
import { makeServerCert, type TestCert } from '../helpers/tls.js';
import { buildMetadata, DAY, makeTokenCert, scratchDir, signMetadata, startHttpsServer, xmlRoute, type TestServer, type TokenCert } from './support.js';

describe('ADFS certificate watch over HTTPS', () => {
  const s = scratchDir();
  const now = new Date();
  let tlsCert: TestCert;
  let server: TestServer;
  let primary: TokenCert; // expires in 18 days: AutoCertificateRollover made a secondary
  let secondary: TokenCert;
  let expiring: TokenCert; // expires in 5 days
  let attacker: TokenCert;
  let enc: TokenCert;
  let body = '';
  const adfs = (o: Partial<Config['adfs']> = {}): Config['adfs'] => ({
    metadataUrls: [],
    caFile: tlsCert.caFile,
    warnDays: [30, 14, 7, 1],
    expectedThumbprints: {},
    ...o,
  });
  const METADATA = '/FederationMetadata/2007-06/FederationMetadata.xml';

  beforeAll(async () => {
    tlsCert = makeServerCert(['127.0.0.1']);
    primary = makeTokenCert(s.dir, 'ADFS Signing - adfs.contoso.test', new Date(now.getTime() - 347 * DAY), new Date(now.getTime() + 18 * DAY + 3_600_000));
    secondary = makeTokenCert(s.dir, 'ADFS Signing - adfs.contoso.test', new Date(now.getTime() - 2 * DAY), new Date(now.getTime() + 363 * DAY));
    expiring = makeTokenCert(s.dir, 'ADFS Signing - adfs.contoso.test', new Date(now.getTime() - 360 * DAY), new Date(now.getTime() + 5 * DAY + 3_600_000));
    attacker = makeTokenCert(s.dir, 'ADFS Signing - adfs.contoso.test', new Date(now.getTime() - 2 * DAY), new Date(now.getTime() + 363 * DAY));
    enc = makeTokenCert(s.dir, 'ADFS Encryption - adfs.contoso.test', new Date(now.getTime() - 347 * DAY), new Date(now.getTime() + 200 * DAY));
    server = await startHttpsServer(tlsCert, {
      [METADATA]: xmlRoute(() => body),
      '/xxe-probe': (_q, r) => r.writeHead(200).end('probe'),
      '/hang': () => undefined,
    });
  });
  afterAll(async () => {
    await server.close();
    rmSync(tlsCert.dir, { recursive: true, force: true });
    s.cleanup();
  });

  it('warns 7 days ahead about a token-signing certificate that expires in 5 days', async () => {
    body = signMetadata(buildMetadata({ signing: [expiring], encryption: [enc] }), expiring);
    const url = server.url(METADATA);
    const r = await watchAdfsSource(url, { adfs: adfs(), now });
    expect(r.snapshot.error).toBeUndefined();
    expect(r.snapshot.primaryThumbprint).toBe(expiring.thumbprint);
    expect(r.findings.map((f) => [f.ruleId, f.severity, f.alertKey])).toEqual([
      ['adfs-cert-expiring', 'high', `adfs:${url}:${expiring.thumbprint}:expiring:7`],
    ]);
    const c = r.evidence.certificates.find((x) => x.thumbprint === expiring.thumbprint)!;
    expect(c).toMatchObject({ use: 'signing', daysLeft: 5, primary: true, subject: 'CN=ADFS Signing - adfs.contoso.test' });
  });

  it('follows a rollover: baseline, secondary appears, secondary promoted — each step alerted once', async () => {
    const url = server.url(METADATA);
    const posted = new Set<string>();
    const post = (keys: string[]) => keys.filter((k) => !posted.has(k) && posted.add(k));
    const options = { adfs: adfs({ expectedThumbprints: { CRM: [primary.thumbprint] } }), now };
    let state: AdfsState | undefined;

    // 1. Baseline: one signing certificate. Trusted on first use, pinned for the next run.
    body = signMetadata(buildMetadata({ signing: [primary], encryption: [enc] }), primary);
    let r = await watchAdfsSource(url, { ...options, previousState: state });
    expect(r.snapshot.signature.status).toBe('no-pin');
    expect(post(r.findings.map((f) => f.alertKey))).toEqual([`adfs:${url}:${primary.thumbprint}:expiring:30`]);
    state = r.nextState;
    expect(state?.signing.map((x) => x.thumbprint)).toEqual([primary.thumbprint]);

    // 2. AutoCertificateRollover publishes a secondary; the document is still signed by the primary.
    body = signMetadata(buildMetadata({ signing: [primary, secondary], encryption: [enc] }), primary);
    r = await watchAdfsSource(url, { ...options, previousState: state });
    expect(r.snapshot.signature).toMatchObject({ status: 'verified', verifiedWith: primary.thumbprint });
    const step2 = r.findings.map((f) => [f.ruleId, f.severity, f.thumbprint]);
    expect(step2).toEqual(
      expect.arrayContaining([
        ['adfs-new-signing-cert', 'high', secondary.thumbprint],
        ['adfs-thumbprint-mismatch', 'high', secondary.thumbprint],
      ]),
    );
    const rollover = r.findings.find((f) => f.ruleId === 'adfs-new-signing-cert')!;
    expect(rollover.fix.commands).toEqual(['Get-AdfsCertificate -CertificateType Token-Signing', 'Update-AdfsRelyingPartyTrust -TargetName "CRM"', 'iisreset', 'Restart-Service adfssrv']);
    expect(post(r.findings.map((f) => f.alertKey)).sort()).toEqual(
      [`adfs:${url}:${secondary.thumbprint}:new-signing`, `adfs:${url}:CRM:${secondary.thumbprint}:mismatch-pending`].sort(),
    );
    state = r.nextState;
    expect(state?.signing.map((x) => x.thumbprint).sort()).toEqual([primary.thumbprint, secondary.thumbprint].sort());

    // The next run, nothing changed: nothing new to post.
    r = await watchAdfsSource(url, { ...options, previousState: state, now: new Date(now.getTime() + 6 * 3_600_000) });
    expect(post(r.findings.map((f) => f.alertKey))).toEqual([]);

    // 3. Promotion: the secondary signs the metadata. It verifies (it was pinned at step 2); CRM breaks.
    body = signMetadata(buildMetadata({ signing: [primary, secondary], encryption: [enc] }), secondary);
    r = await watchAdfsSource(url, { ...options, previousState: state });
    expect(r.snapshot.signature).toMatchObject({ status: 'verified', verifiedWith: secondary.thumbprint });
    expect(r.snapshot.primaryThumbprint).toBe(secondary.thumbprint);
    expect(r.findings.slice(0, 2).map((f) => [f.ruleId, f.severity])).toEqual(
      expect.arrayContaining([
        ['adfs-primary-changed', 'critical'],
        ['adfs-thumbprint-mismatch', 'critical'],
      ]),
    );
    expect(post(r.findings.map((f) => f.alertKey)).sort()).toEqual(
      [`adfs:${url}:${secondary.thumbprint}:primary`, `adfs:${url}:CRM:${secondary.thumbprint}:mismatch`].sort(),
    );
    state = r.nextState;
    expect(state?.primaryThumbprint).toBe(secondary.thumbprint);

    // The same evidence is what the why-401 rule reads (one shape).
    const ev = r.evidence;
    expect(ev.ok).toBe(true);
    expect(ev.certificates.filter((c) => c.uses.includes('signing')).map((c) => [c.thumbprint, c.primary]).sort()).toEqual(
      [
        [primary.thumbprint, false],
        [secondary.thumbprint, true],
      ].sort(),
    );
    expect(ev.findings.map((f) => f.ruleId)).toContain('adfs-primary-changed');
  });

  it('flags a tampered document (critical) and keeps the pinned state', async () => {
    const url = server.url(METADATA);
    body = signMetadata(buildMetadata({ signing: [primary], encryption: [enc] }), primary);
    const baseline = await watchAdfsSource(url, { adfs: adfs(), now });
    const state = baseline.nextState!;
    // Someone swaps the token-signing certificate after signing.
    body = body.replaceAll(primary.b64, attacker.b64).replace(/(<ds:X509Certificate>)[^<]+/, `$1${primary.b64}`);
    const r = await watchAdfsSource(url, { adfs: adfs(), now, previousState: state });
    expect(r.snapshot.signature.status).toBe('failed');
    expect(r.findings[0]).toMatchObject({ ruleId: 'adfs-signature-invalid', severity: 'critical' });
    expect(r.nextState).toBe(state);
    // A document re-signed with the attacker's own key fails too, and says who signed it.
    body = signMetadata(buildMetadata({ signing: [attacker], encryption: [enc] }), attacker);
    const forged = await watchAdfsSource(url, { adfs: adfs(), now, previousState: state });
    expect(forged.findings[0]).toMatchObject({ ruleId: 'adfs-signature-invalid', severity: 'critical' });
    expect(forged.snapshot.signature.reason).toContain(attacker.thumbprint);
    expect(forged.findings.some((f) => f.ruleId === 'adfs-new-signing-cert' || f.ruleId === 'adfs-primary-changed')).toBe(false);
  });

  it('refuses an XXE document: nothing fetched, nothing read, a clear finding', async () => {
    const url = server.url(METADATA);
    const before = server.requests.length;
    body =
      `<?xml version="1.0"?><!DOCTYPE EntityDescriptor [<!ENTITY remote SYSTEM "${server.url('/xxe-probe')}"><!ENTITY local SYSTEM "file:///etc/passwd">]>` +
      `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="&local;"><Organization>&remote;</Organization></EntityDescriptor>`;
    const r = await watchAdfsSource(url, { adfs: adfs(), now });
    expect(r.snapshot.error?.name).toBe('AdfsHostileXmlError');
    expect(r.findings.map((f) => f.ruleId)).toEqual(['adfs-metadata-invalid']);
    expect(JSON.stringify(r)).not.toContain('root:x:0:0');
    expect(server.requests.slice(before)).toEqual([METADATA]);
  });

  it('refuses a billion-laughs document quickly', async () => {
    body =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
      Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('') +
      ']><EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata"><Organization>&lol9;</Organization></EntityDescriptor>';
    const started = performance.now();
    const r = await watchAdfsSource(server.url(METADATA), { adfs: adfs(), now });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(r.snapshot.error?.name).toBe('AdfsHostileXmlError');
    expect(r.findings[0].ruleId).toBe('adfs-metadata-invalid');
  });

  it('reports an endpoint that never answers as unreachable within the timeout', async () => {
    const url = server.url('/hang');
    const started = performance.now();
    const r = await watchAdfsSource(url, { adfs: adfs(), now, timeoutMs: 500 });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(r.snapshot.error).toMatchObject({ code: 'ADFS_UNAVAILABLE', name: 'AdfsTimeoutError' });
    expect(r.findings.map((f) => [f.ruleId, f.alertKey])).toEqual([['adfs-unreachable', `adfs:${url}:unreachable`]]);
    expect(r.nextState).toBeUndefined();
  });

  it('reports an endpoint with an untrusted certificate as unreachable, naming KRBOPS_ADFS_CA_FILE', async () => {
    body = signMetadata(buildMetadata({ signing: [secondary] }), secondary);
    const r = await watchAdfsSource(server.url(METADATA), { adfs: adfs({ caFile: undefined }), now });
    expect(r.snapshot.error?.name).toBe('AdfsTlsError');
    expect(r.findings[0].ruleId).toBe('adfs-unreachable');
    expect(r.findings[0].fix.summary).toMatch(/KRBOPS_ADFS_CA_FILE/);
  });
});
