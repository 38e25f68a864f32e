/**
 * Gets a federation metadata document: over HTTPS with certificate validation, or from a local file
 * (CLI only). Bounded in time (one deadline for connect, TLS, headers and body) and in size (by
 * Content-Length before any body is read, then by counting while streaming), so a hostile or broken
 * endpoint cannot hold the watcher or fill its memory.
 */
import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import tls from 'node:tls';
import { ConfigError } from '../errors.js';
import { AdfsSourceError, AdfsTimeoutError, AdfsTlsError, AdfsTooLargeError, AdfsUnavailableError } from './errors.js';

/** ADFS metadata is 10–100 KB; 5 MiB leaves room for large federations and refuses floods. */
export const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;
export const DEFAULT_TIMEOUT_MS = 10_000;

export interface FetchMetadataOptions {
  /**
   * PEM bundle of CAs trusted for the ADFS server's certificate (KRBOPS_ADFS_CA_FILE), added to
   * Node's trust store. Default: Node's trust store only.
   */
  caFile?: string;
  /** Deadline for the whole request, connect to last byte. Default 10 000 ms. */
  timeoutMs?: number;
  /** Largest accepted body. Default 5 MiB. */
  maxBytes?: number;
  /** Redirects followed (https only). Default 3. */
  maxRedirects?: number;
}

export interface FetchedMetadata {
  /** The URL or path as given. */
  source: string;
  /** The URL that answered after redirects (the path for files). */
  location: string;
  xml: string;
  bytes: number;
}

/** Node's codes for an untrusted or mismatched server certificate. */
const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** True for `https://…` and `http://…` sources; anything else is a file path. */
export function isUrlSource(source: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(source);
}

function readCa(caFile: string): Buffer {
  try {
    return readFileSync(caFile);
  } catch (e) {
    throw new ConfigError('KRBOPS_ADFS_CA_FILE', `cannot read ${caFile} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function parseHttpsUrl(source: string, raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AdfsSourceError(`"${raw.slice(0, 200)}" is not a valid URL.`, source);
  }
  if (url.protocol !== 'https:') {
    throw new AdfsSourceError(`ADFS metadata must be fetched over https:// (got ${url.protocol}); a plain-http document could be forged in transit.`, source);
  }
  return url;
}

/**
 * Fetches federation metadata over HTTPS. Throws AdfsTimeoutError, AdfsTlsError,
 * AdfsUnavailableError (code ADFS_UNAVAILABLE), AdfsTooLargeError (ADFS_INVALID), AdfsSourceError
 * (not https) or ConfigError (CA file unreadable).
 */
export async function fetchMetadata(url: string, options: FetchMetadataOptions = {}): Promise<FetchedMetadata> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxRedirects = options.maxRedirects ?? 3;
  const ca = options.caFile ? [...tls.rootCertificates, readCa(options.caFile)] : undefined;
  const deadline = Date.now() + timeoutMs;
  let target = parseHttpsUrl(url, url);
  for (let hop = 0; ; hop++) {
    const res = await requestOnce(url, target, { ca, deadline, timeoutMs, maxBytes });
    if (res.redirect) {
      if (hop >= maxRedirects) throw new AdfsUnavailableError(`${url} redirected more than ${maxRedirects} times.`, { source: url, reason: 'redirects' });
      target = parseHttpsUrl(url, new URL(res.redirect, target).toString());
      continue;
    }
    return { source: url, location: target.toString(), xml: res.body!.toString('utf8'), bytes: res.body!.length };
  }
}

interface OnceResult {
  redirect?: string;
  body?: Buffer;
}

function requestOnce(
  source: string,
  url: URL,
  o: { ca?: (string | Buffer)[]; deadline: number; timeoutMs: number; maxBytes: number },
): Promise<OnceResult> {
  return new Promise<OnceResult>((resolve, reject) => {
    let settled = false;
    // `finish` runs from events only, after `timer` below is set.
    const finish = (err: Error | undefined, value?: OnceResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        req.destroy();
        reject(err);
      } else resolve(value!);
    };
    const req = https.request(url, {
      method: 'GET',
      agent: false,
      ca: o.ca,
      headers: { accept: 'application/samlmetadata+xml, application/xml, text/xml', 'user-agent': 'krbops-adfs-watch' },
    });
    const timer = setTimeout(() => finish(new AdfsTimeoutError(source, o.timeoutMs)), Math.max(0, o.deadline - Date.now()));
    req.on('error', (e: NodeJS.ErrnoException) => finish(classify(source, url, e)));
    req.on('response', (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        finish(undefined, { redirect: res.headers.location });
        return;
      }
      if (status < 200 || status >= 300) {
        res.resume();
        finish(new AdfsUnavailableError(`${url.host} answered HTTP ${status} for the metadata document.`, { source, reason: 'http-status', status }));
        return;
      }
      const announced = Number(res.headers['content-length']);
      if (Number.isFinite(announced) && announced > o.maxBytes) {
        finish(new AdfsTooLargeError(source, o.maxBytes, announced));
        return;
      }
      const chunks: Buffer[] = [];
      let seen = 0;
      res.on('data', (chunk: Buffer) => {
        seen += chunk.length;
        if (seen > o.maxBytes) {
          chunks.length = 0;
          finish(new AdfsTooLargeError(source, o.maxBytes, seen));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => finish(undefined, { body: Buffer.concat(chunks) }));
      res.on('error', (e: NodeJS.ErrnoException) => finish(classify(source, url, e)));
      res.on('aborted', () => finish(new AdfsUnavailableError(`${url.host} closed the connection mid-document.`, { source, reason: 'aborted' })));
    });
    req.end();
  });
}

function classify(source: string, url: URL, e: NodeJS.ErrnoException): Error {
  if (e instanceof AdfsUnavailableError || e instanceof AdfsTooLargeError) return e;
  const code = e.code ?? 'error';
  if (TLS_CODES.has(code)) {
    return new AdfsTlsError(
      `The TLS certificate of ${url.host} is not trusted (${code}); if ADFS uses an internal CA, set KRBOPS_ADFS_CA_FILE to its PEM bundle.`,
      { cause: e, source, reason: code },
    );
  }
  const what: Record<string, string> = {
    ENOTFOUND: 'the name does not resolve',
    EAI_AGAIN: 'DNS did not answer',
    ECONNREFUSED: 'the connection was refused',
    ECONNRESET: 'the connection was reset',
    EHOSTUNREACH: 'the host is unreachable',
    ENETUNREACH: 'the network is unreachable',
    ETIMEDOUT: 'the connection timed out',
    EPROTO: 'the TLS handshake failed',
  };
  return new AdfsUnavailableError(`Cannot fetch metadata from ${url.host}: ${what[code] ?? `network error (${code})`}.`, {
    cause: e,
    source,
    reason: code,
  });
}

/** Reads metadata from a local file, refusing files over `maxBytes` (default 5 MiB) without reading them. */
export async function readMetadataFile(path: string, options: Pick<FetchMetadataOptions, 'maxBytes'> = {}): Promise<FetchedMetadata> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw new AdfsSourceError(`Cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'}).`, path);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new AdfsSourceError(`${path} is not a regular file.`, path);
    if (st.size > maxBytes) throw new AdfsTooLargeError(path, maxBytes, st.size);
    // Read at most maxBytes + 1 even if the file grows meanwhile.
    const buf = Buffer.alloc(Math.min(st.size, maxBytes) + 1);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    if (bytesRead > maxBytes) throw new AdfsTooLargeError(path, maxBytes, bytesRead);
    return { source: path, location: path, xml: buf.subarray(0, bytesRead).toString('utf8'), bytes: bytesRead };
  } finally {
    await fh.close();
  }
}

/** A URL is fetched with fetchMetadata, anything else is read as a file when `allowFiles` (default false). */
export async function loadMetadata(source: string, options: FetchMetadataOptions & { allowFiles?: boolean } = {}): Promise<FetchedMetadata> {
  if (isUrlSource(source)) return fetchMetadata(source, options);
  if (!options.allowFiles) throw new AdfsSourceError('Only https:// metadata URLs are accepted here, not file paths.', source);
  return readMetadataFile(source, options);
}
