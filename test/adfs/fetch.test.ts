import net from 'node:net';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdfsSourceError,
  AdfsTimeoutError,
  AdfsTlsError,
  AdfsTooLargeError,
  AdfsUnavailableError,
} from '../../src/adfs/errors.js';
import { fetchMetadata, loadMetadata, readMetadataFile } from '../../src/adfs/fetch.js';
import { ConfigError, ErrorCode } from '../../src/errors.js';
import { makeServerCert, type TestCert } from '../helpers/tls.js';
import { scratchDir, startHttpsServer, type TestServer } from './support.js';

const FIFTY_MB = 50 * 1024 * 1024;

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('fetchMetadata over HTTPS', () => {
  const s = scratchDir();
  let trusted: TestCert;
  let untrusted: TestCert;
  let server: TestServer;
  let rogue: TestServer;
  let hanging: net.Server;
  const held: net.Socket[] = [];
  let written = 0;
  const doc = '<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>';

  beforeAll(async () => {
    trusted = makeServerCert(['127.0.0.1', 'localhost']);
    untrusted = makeServerCert(['127.0.0.1', 'localhost']);
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    const flood = (announce: boolean) => (_req: unknown, res: ServerResponse) => {
      written = 0;
      res.writeHead(200, { 'content-type': 'application/xml', ...(announce ? { 'content-length': FIFTY_MB } : {}) });
      const pump = () => {
        while (written < FIFTY_MB && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        if (!res.destroyed) res.end();
      };
      pump();
    };
    server = await startHttpsServer(trusted, {
      '/FederationMetadata/2007-06/FederationMetadata.xml': (_q, r) => r.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(doc),
      '/moved': (_q, r) => r.writeHead(302, { location: '/FederationMetadata/2007-06/FederationMetadata.xml' }).end(),
      '/to-http': (_q, r) => r.writeHead(302, { location: 'http://127.0.0.1:1/x' }).end(),
      '/loop': (_q, r) => r.writeHead(302, { location: '/loop' }).end(),
      '/503': (_q, r) => r.writeHead(503).end('Service Unavailable'),
      '/huge-announced': flood(true),
      '/huge-chunked': flood(false),
      '/hang': () => undefined, // accepts the request, never answers
    });
    rogue = await startHttpsServer(untrusted, { '/m.xml': (_q, r) => r.writeHead(200).end(doc) });
    // A TCP server that never starts TLS.
    hanging = net.createServer((sock) => held.push(sock));
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
  });

  afterAll(async () => {
    for (const sock of held) sock.destroy();
    await new Promise<void>((r) => hanging.close(() => r()));
    await server.close();
    await rogue.close();
    rmSync(trusted.dir, { recursive: true, force: true });
    rmSync(untrusted.dir, { recursive: true, force: true });
    s.cleanup();
  });

  it('fetches metadata from a server whose CA is in KRBOPS_ADFS_CA_FILE', async () => {
    const r = await fetchMetadata(server.url('/FederationMetadata/2007-06/FederationMetadata.xml'), { caFile: trusted.caFile, timeoutMs: 5000 });
    expect(r.xml).toBe(doc);
    expect(r.bytes).toBe(Buffer.byteLength(doc));
  });

  it('refuses a server certificate from an unknown CA when no CA file is given', async () => {
    const e = await caught(fetchMetadata(server.url('/FederationMetadata/2007-06/FederationMetadata.xml'), { timeoutMs: 5000 }));
    expect(e).toBeInstanceOf(AdfsTlsError);
    expect((e as AdfsTlsError).code).toBe(ErrorCode.AdfsUnavailable);
    expect((e as Error).message).toMatch(/not trusted.*KRBOPS_ADFS_CA_FILE/);
  });

  it('refuses a server certificate from a CA other than the one in the CA file', async () => {
    const e = await caught(fetchMetadata(rogue.url('/m.xml'), { caFile: trusted.caFile, timeoutMs: 5000 }));
    expect(e).toBeInstanceOf(AdfsTlsError);
    const ok = await fetchMetadata(rogue.url('/m.xml'), { caFile: untrusted.caFile, timeoutMs: 5000 });
    expect(ok.xml).toBe(doc);
  });

  it('refuses a certificate that does not name the host', async () => {
    const named = makeServerCert(['adfs.contoso.test']);
    const other = await startHttpsServer(named, { '/m.xml': (_q, r) => r.writeHead(200).end(doc) });
    const e = await caught(fetchMetadata(other.url('/m.xml'), { caFile: named.caFile, timeoutMs: 5000 }));
    await other.close();
    rmSync(named.dir, { recursive: true, force: true });
    expect(e).toBeInstanceOf(AdfsTlsError);
    expect((e as AdfsTlsError).details.reason).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('names an unreadable CA file as a configuration error', async () => {
    const e = await caught(fetchMetadata(server.url('/x'), { caFile: join(s.dir, 'missing.pem') }));
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as Error).message).toMatch(/^KRBOPS_ADFS_CA_FILE: cannot read/);
  });

  it('follows an https redirect and refuses one to plain http', async () => {
    expect((await fetchMetadata(server.url('/moved'), { caFile: trusted.caFile })).xml).toBe(doc);
    expect(await caught(fetchMetadata(server.url('/to-http'), { caFile: trusted.caFile }))).toBeInstanceOf(AdfsSourceError);
    const loop = await caught(fetchMetadata(server.url('/loop'), { caFile: trusted.caFile }));
    expect(loop).toBeInstanceOf(AdfsUnavailableError);
    expect((loop as Error).message).toMatch(/redirected more than 3 times/);
  });

  it('refuses plain http:// URLs', async () => {
    const e = await caught(fetchMetadata('http://127.0.0.1:1/FederationMetadata.xml'));
    expect(e).toBeInstanceOf(AdfsSourceError);
    expect((e as Error).message).toMatch(/must be fetched over https/);
  });

  it('turns an HTTP error status into AdfsUnavailable', async () => {
    const e = await caught(fetchMetadata(server.url('/503'), { caFile: trusted.caFile }));
    expect(e).toBeInstanceOf(AdfsUnavailableError);
    expect((e as AdfsUnavailableError).details.status).toBe(503);
  });

  it('turns a refused connection into AdfsUnavailable', async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const e = await caught(fetchMetadata(`https://127.0.0.1:${port}/FederationMetadata.xml`, { timeoutMs: 3000 }));
    expect(e).toBeInstanceOf(AdfsUnavailableError);
    expect((e as Error).message).toMatch(/connection was refused/);
  });

  it('rejects a 50 MB response announced by Content-Length before reading its body', async () => {
    const started = performance.now();
    const e = await caught(fetchMetadata(server.url('/huge-announced'), { caFile: trusted.caFile, timeoutMs: 10_000 }));
    expect(e).toBeInstanceOf(AdfsTooLargeError);
    expect((e as AdfsTooLargeError).code).toBe(ErrorCode.AdfsInvalid);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('rejects a 50 MB chunked response after the cap, having read only about the cap', async () => {
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    const e = await caught(fetchMetadata(server.url('/huge-chunked'), { caFile: trusted.caFile, timeoutMs: 10_000, maxBytes: 1024 * 1024 }));
    expect(e).toBeInstanceOf(AdfsTooLargeError);
    expect((e as Error).message).toMatch(/larger than 1048576 bytes/);
    expect(performance.now() - started).toBeLessThan(3000);
    // The server could only push what the socket buffers held before the client hung up.
    await new Promise((r) => setTimeout(r, 100));
    expect(written).toBeLessThan(FIFTY_MB / 2);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(40 * 1024 * 1024);
  });

  it('gives up on a server that accepts the request and never answers, within the timeout', async () => {
    const started = performance.now();
    const e = await caught(fetchMetadata(server.url('/hang'), { caFile: trusted.caFile, timeoutMs: 400 }));
    const elapsed = performance.now() - started;
    expect(e).toBeInstanceOf(AdfsTimeoutError);
    expect((e as AdfsTimeoutError).code).toBe(ErrorCode.AdfsUnavailable);
    expect(elapsed).toBeGreaterThanOrEqual(380);
    expect(elapsed).toBeLessThan(1500);
  });

  it('gives up on a server that never completes the TLS handshake, within the timeout', async () => {
    const port = (hanging.address() as AddressInfo).port;
    const started = performance.now();
    const e = await caught(fetchMetadata(`https://127.0.0.1:${port}/FederationMetadata.xml`, { timeoutMs: 400 }));
    expect(e).toBeInstanceOf(AdfsTimeoutError);
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('reads a local file, refusing one over the cap without reading it', async () => {
    const small = join(s.dir, 'FederationMetadata.xml');
    writeFileSync(small, doc);
    expect((await readMetadataFile(small)).xml).toBe(doc);
    const big = join(s.dir, 'big.xml');
    writeFileSync(big, Buffer.alloc(2048, 0x20));
    expect(await caught(readMetadataFile(big, { maxBytes: 1024 }))).toBeInstanceOf(AdfsTooLargeError);
    expect(await caught(readMetadataFile(join(s.dir, 'nope.xml')))).toBeInstanceOf(AdfsSourceError);
  });

  it('accepts file paths only when allowed (never from chat)', async () => {
    const small = join(s.dir, 'FederationMetadata.xml');
    writeFileSync(small, doc);
    expect(await caught(loadMetadata(small))).toBeInstanceOf(AdfsSourceError);
    expect((await loadMetadata(small, { allowFiles: true })).xml).toBe(doc);
  });
});
