/**
 * ADFS test material made at run time (never committed): token-signing/decrypting certificates from
 * openssl with chosen validity dates, federation metadata documents built from them and signed with
 * xml-crypto, and a loopback HTTPS server that serves them.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { SignedXml } from 'xml-crypto';

export const DAY = 86_400_000;

export interface TokenCert {
  subject: string;
  certPem: string;
  keyPem: string;
  /** Base64 DER, as in an X509Certificate element. */
  b64: string;
  thumbprint: string;
  notBefore: Date;
  notAfter: Date;
}

/** A scratch directory for one test file; `cleanup` removes it. */
export function scratchDir(prefix = 'krbops-adfs-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** openssl's UTCTime form (YYMMDDHHMMSSZ), second precision. */
function asn1Time(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
}

let serial = 0;

/**
 * A self-signed RSA certificate like the ones AD FS generates (`CN=ADFS Signing - …`), valid from
 * `notBefore` to `notAfter` (made with `openssl ca -selfsign`, which takes explicit dates).
 */
export function makeTokenCert(dir: string, cn: string, notBefore: Date, notAfter: Date): TokenCert {
  const d = join(dir, `ca-${process.pid}-${++serial}`);
  mkdirSync(join(d, 'new'), { recursive: true });
  writeFileSync(join(d, 'index.txt'), '');
  writeFileSync(join(d, 'serial'), `${(Date.now() * 100 + serial).toString(16).padStart(16, '0')}\n`);
  writeFileSync(
    join(d, 'ca.cnf'),
    [
      '[ca]',
      'default_ca = ca_default',
      '[ca_default]',
      `dir = ${d}`,
      'database = $dir/index.txt',
      'new_certs_dir = $dir/new',
      'serial = $dir/serial',
      'default_md = sha256',
      'policy = policy_any',
      'unique_subject = no',
      'email_in_dn = no',
      'x509_extensions = ext',
      '[policy_any]',
      'commonName = supplied',
      '[ext]',
      'keyUsage = digitalSignature, keyEncipherment',
      '',
    ].join('\n'),
  );
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: d, stdio: 'pipe' });
  run(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'req.csr', '-subj', `/CN=${cn}`]);
  run(['ca', '-batch', '-notext', '-config', 'ca.cnf', '-selfsign', '-keyfile', 'key.pem', '-in', 'req.csr', '-out', 'cert.pem', '-startdate', asn1Time(notBefore), '-enddate', asn1Time(notAfter)]);
  const certPem = readFileSync(join(d, 'cert.pem'), 'utf8');
  const x = new X509Certificate(certPem);
  return {
    subject: `CN=${cn}`,
    certPem,
    keyPem: readFileSync(join(d, 'key.pem'), 'utf8'),
    b64: x.raw.toString('base64'),
    thumbprint: x.fingerprint.replace(/:/g, ''),
    notBefore: new Date(x.validFrom),
    notAfter: new Date(x.validTo),
  };
}

export interface MetadataSpec {
  entityId?: string;
  id?: string;
  signing: TokenCert[];
  encryption?: TokenCert[];
  /** Element prefix for the SAML metadata namespace: 'md' → <md:EntityDescriptor>; default none. */
  prefix?: string;
  /** Put one KeyDescriptor without `use` (serves signing and encryption) for this certificate. */
  noUse?: TokenCert;
}

const kd = (p: string, use: string | undefined, c: TokenCert) =>
  `<${p}KeyDescriptor${use ? ` use="${use}"` : ''}><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>${c.b64}</X509Certificate></X509Data></KeyInfo></${p}KeyDescriptor>`;

/** An AD FS–style federation metadata document (WS-Fed RoleDescriptors, SAML IdP and SP roles). */
export function buildMetadata(spec: MetadataSpec): string {
  const p = spec.prefix ? `${spec.prefix}:` : '';
  const nsDecl = spec.prefix ? `xmlns:${spec.prefix}="urn:oasis:names:tc:SAML:2.0:metadata"` : 'xmlns="urn:oasis:names:tc:SAML:2.0:metadata"';
  const signing = spec.signing.map((c) => kd(p, 'signing', c)).join('');
  const enc = (spec.encryption ?? []).map((c) => kd(p, 'encryption', c)).join('');
  const both = spec.noUse ? kd(p, undefined, spec.noUse) : '';
  const entityId = spec.entityId ?? 'http://adfs.contoso.test/adfs/services/trust';
  return (
    `<?xml version="1.0" encoding="utf-8"?>` +
    `<${p}EntityDescriptor ID="${spec.id ?? '_5a9c1b2e-0d4f-4c7e-9e3a-7f1b2c3d4e5f'}" entityID="${entityId}" ${nsDecl}>` +
    `<${p}RoleDescriptor xsi:type="fed:ApplicationServiceType" protocolSupportEnumeration="http://docs.oasis-open.org/wsfed/federation/200706" ` +
    `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:fed="http://docs.oasis-open.org/wsfed/federation/200706">${enc}${signing}${both}` +
    `<fed:TargetScopes><EndpointReference xmlns="http://www.w3.org/2005/08/addressing"><Address>https://adfs.contoso.test/adfs/services/trust/2005/issuedtokenmixedasymmetricbasic256</Address></EndpointReference></fed:TargetScopes></${p}RoleDescriptor>` +
    `<${p}RoleDescriptor xsi:type="fed:SecurityTokenServiceType" protocolSupportEnumeration="http://docs.oasis-open.org/wsfed/federation/200706" ` +
    `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:fed="http://docs.oasis-open.org/wsfed/federation/200706">${signing}` +
    `<fed:PassiveRequestorEndpoint><EndpointReference xmlns="http://www.w3.org/2005/08/addressing"><Address>https://adfs.contoso.test/adfs/ls/</Address></EndpointReference></fed:PassiveRequestorEndpoint></${p}RoleDescriptor>` +
    `<${p}SPSSODescriptor WantAssertionsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${enc}${signing}` +
    `<${p}AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://adfs.contoso.test/adfs/ls/" index="0" isDefault="true"/></${p}SPSSODescriptor>` +
    `<${p}IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${enc}${signing}` +
    `<${p}SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://adfs.contoso.test/adfs/ls/"/></${p}IDPSSODescriptor>` +
    `</${p}EntityDescriptor>`
  );
}

/**
 * Signs metadata as AD FS does: enveloped signature first in the root, exclusive c14n, RSA-SHA256,
 * the signer's certificate in KeyInfo. `referenceXpath` lets a test sign only part of the document.
 */
export function signMetadata(xml: string, signer: TokenCert, options: { referenceXpath?: string; prefixOnRoot?: boolean } = {}): string {
  const sig = new SignedXml({
    privateKey: signer.keyPem,
    publicCert: signer.certPem,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  sig.addReference({
    xpath: options.referenceXpath ?? '/*',
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  });
  sig.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: '/*', action: 'prepend' },
  });
  const signed = sig.getSignedXml();
  // Leave the ds: declaration on the root only (exclusive c14n renders it on SignedInfo either way).
  return options.prefixOnRoot ? signed.replace('<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">', '<ds:Signature>') : signed;
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface TestServer {
  url(path: string): string;
  /** Paths requested so far. */
  requests: string[];
  close(): Promise<void>;
}

/** An HTTPS server on 127.0.0.1 with the given certificate, answering from `routes` (404 otherwise). */
export async function startHttpsServer(tlsFiles: { key: Buffer; cert: Buffer }, routes: Record<string, Handler>): Promise<TestServer> {
  const requests: string[] = [];
  const server = https.createServer({ key: tlsFiles.key, cert: tlsFiles.cert }, (req, res) => {
    requests.push(req.url ?? '');
    const h = routes[req.url ?? ''];
    if (h) h(req, res);
    else res.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (path) => `https://127.0.0.1:${port}${path}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A route answering `body` as metadata. */
export const xmlRoute =
  (body: () => string): Handler =>
  (_req, res) => {
    const b = Buffer.from(body(), 'utf8');
    res.writeHead(200, { 'content-type': 'application/samlmetadata+xml', 'content-length': b.length }).end(b);
  };
