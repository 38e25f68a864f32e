/**
 * Connection handling for the directory: try each DC in order within the timeout, bind, map every
 * failure to a coded error. Read-only: this module exposes search only.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { ConnectionOptions } from 'node:tls';
import {
  Client,
  ConfidentialityRequiredError,
  InappropriateAuthError,
  InsufficientAccessError,
  InvalidCredentialsError,
  NoSuchObjectError,
  StrongAuthRequiredError,
  TimeLimitExceededError,
  type Entry,
  type Filter,
} from 'ldapts';
import type { Logger } from 'pino';
import { DEFAULT_SCAN_TIMEOUT_MS, type LdapConfig } from '../config.js';
import {
  DirectoryAuthError,
  DirectoryError,
  DirectoryProtocolError,
  DirectoryRightsError,
  DirectoryTimeoutError,
  DirectoryTlsError,
  DirectoryUnavailableError,
} from '../errors.js';

export type { Entry };

export interface SearchRequest {
  base: string;
  scope?: 'base' | 'one' | 'sub';
  filter?: Filter;
  attributes: string[];
  /** Attributes returned as Buffers (binary: objectSid, security descriptors). */
  binary?: string[];
  sizeLimit?: number;
  /** Use the Global Catalog connection when one is configured. */
  gc?: boolean;
}

const TLS_CODES: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the certificate is self-signed and not trusted (set LDAP_CA_FILE)',
  SELF_SIGNED_CERT_IN_CHAIN: 'the chain ends in a CA that is not trusted (set LDAP_CA_FILE)',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the issuing CA is not trusted (set LDAP_CA_FILE)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the issuing CA is not trusted (set LDAP_CA_FILE)',
  UNABLE_TO_GET_ISSUER_CERT: 'the issuing CA is not trusted (set LDAP_CA_FILE)',
  CERT_HAS_EXPIRED: 'the certificate has expired',
  CERT_NOT_YET_VALID: 'the certificate is not valid yet (check the clock)',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the certificate does not name this host',
  CERT_REVOKED: 'the certificate is revoked',
  EPROTO: 'TLS handshake failed (is this an LDAPS port?)',
  ERR_SSL_WRONG_VERSION_NUMBER: 'TLS handshake failed (is this an LDAPS port?)',
};

const NET_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host name not found in DNS',
  EAI_AGAIN: 'DNS lookup failed',
  ETIMEDOUT: 'connection timed out',
  EPIPE: 'connection closed',
};

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function errCode(e: unknown): string | undefined {
  const err = e as { code?: unknown; cause?: { code?: unknown } };
  if (typeof err?.code === 'string') return err.code;
  if (typeof err?.cause?.code === 'string') return err.cause.code;
  return undefined;
}

/** Maps an ldapts / socket / TLS failure to a coded DirectoryError. Never includes the password. */
export function mapLdapError(e: unknown, server: string, bindDn?: string): DirectoryError {
  if (e instanceof DirectoryError) return e;
  const host = hostOf(server);
  const code = errCode(e);
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof InvalidCredentialsError) {
    return new DirectoryAuthError(`${host} rejected the credentials of ${bindDn ?? 'the bind account'} (invalid user name or password, or the account is disabled or locked)`, { cause: e, server });
  }
  if (e instanceof StrongAuthRequiredError || e instanceof ConfidentialityRequiredError) {
    return new DirectoryAuthError(`${host} requires an encrypted connection for simple binds: use ldaps:// (port 636) or ldap:// with StartTLS`, { cause: e, server });
  }
  if (e instanceof InappropriateAuthError) {
    return new DirectoryAuthError(`${host} refused a simple bind for ${bindDn ?? 'the bind account'}`, { cause: e, server });
  }
  if (e instanceof InsufficientAccessError) {
    return new DirectoryRightsError(`${host}: the bind account may not read this (insufficient access rights)`, { cause: e, server });
  }
  if (e instanceof TimeLimitExceededError) {
    // The DC's answer, not krbops's clock: the search ran into the DC's own limit (the query policy's MaxQueryDuration, 120 s by default).
    return new DirectoryTimeoutError(`${host} ended the search at its own time limit (timeLimitExceeded: the query policy's MaxQueryDuration)`, { cause: e, server });
  }
  if (/timeout|timed out/i.test(message)) {
    return new DirectoryTimeoutError(`${host} timed out: no answer in time (${message.includes('Connection') ? 'connect' : 'operation'} timeout)`, { cause: e, server });
  }
  if (code && TLS_CODES[code]) {
    return new DirectoryTlsError(`TLS to ${host} failed: ${TLS_CODES[code]} [${code}]`, { cause: e, server });
  }
  if (code && (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code.includes('CERT'))) {
    return new DirectoryTlsError(`TLS to ${host} failed: ${code}`, { cause: e, server });
  }
  if (code && NET_CODES[code]) {
    return new DirectoryUnavailableError(`${host}: ${NET_CODES[code]}`, { cause: e, servers: [server] });
  }
  if (/Socket error|Connection closed|socket hang up/i.test(message)) {
    return new DirectoryUnavailableError(`${host}: the connection was closed by the server`, { cause: e, servers: [server] });
  }
  if (e instanceof NoSuchObjectError) {
    return new DirectoryProtocolError(`${host}: the search base does not exist`, { cause: e, server });
  }
  return new DirectoryProtocolError(`${host}: ${message.split('\n', 1)[0]!.slice(0, 200)}`, { cause: e, server });
}

function tlsOptions(config: LdapConfig, url: string): ConnectionOptions {
  const opts: ConnectionOptions = { rejectUnauthorized: config.tlsRejectUnauthorized, minVersion: 'TLSv1.2' };
  if (config.caFile) opts.ca = readFileSync(config.caFile);
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  // StartTLS upgrades an existing socket: without `host`, Node checks the certificate against "localhost".
  opts.host = host;
  if (!/^[\d.]+$/.test(host) && !host.includes(':')) opts.servername = host;
  return opts;
}

/**
 * A connected, bound ldapts client for one URL (StartTLS first for ldap://). ldapts gets no
 * per-message timeout: LdapConnection times each request itself, so the first page of a large scan
 * can have a longer budget than a lookup (LDAP_SCAN_TIMEOUT_MS).
 */
async function connectClient(config: LdapConfig, url: string, budgetMs: number): Promise<Client> {
  const tls = tlsOptions(config, url);
  const startTls = url.startsWith('ldap:');
  // ldapts mutates the options it is given for StartTLS (adds the socket): never share one object.
  const client = new Client({ url, connectTimeout: budgetMs, tlsOptions: startTls ? undefined : tls, strictDN: false });
  try {
    await withDeadline(
      (async () => {
        if (startTls) await client.startTLS({ ...tls });
        await client.bind(config.bindDn, config.bindPassword);
      })(),
      budgetMs,
      url,
    );
    return client;
  } catch (e) {
    await client.unbind().catch(() => undefined);
    throw e;
  }
}

/**
 * The time limit a search asks the DC for (SearchRequest timeLimit, whole seconds): krbops's own
 * budget for it, plus one second. ldapts sends 10 s when told nothing, and DCs enforce the client's
 * limit: Samba ended the first page of a 200 000-account scan (the DC builds the whole result first)
 * with timeLimitExceeded after 10 s, however long LDAP_SCAN_TIMEOUT_MS was. Samba counts from the
 * request's start in whole seconds (time(NULL)), so a limit of N can end a search after N − 1 s: the
 * extra second keeps the DC from stopping before krbops's own clock does. Asking for a limit (not 0,
 * "none") lets the DC stop working on a search krbops has given up on.
 */
export function dcTimeLimit(budgetMs: number): number {
  return Math.ceil(budgetMs / 1000) + 1;
}

/** A bound connection to one DC. */
export class LdapConnection {
  /** Undefined after a request timed out: its socket is gone and the next request connects and binds again. */
  private client: Promise<Client> | undefined;
  /** The client `client` resolved to, while it is the one in use. */
  private current: Client | undefined;

  private constructor(
    client: Client,
    readonly server: string,
    private readonly config: LdapConfig,
    private readonly log: Logger,
  ) {
    this.client = Promise.resolve(client);
    this.current = client;
  }

  /**
   * Connects to the first DC that answers, binds, and returns the connection. Every URL gets a
   * share of LDAP_TIMEOUT_MS, so a black-holed DC cannot eat the whole budget. Wrong credentials
   * stop at once (trying further DCs would only lock the account faster).
   */
  static async open(config: LdapConfig, urls: string[], log: Logger): Promise<LdapConnection> {
    const perUrl = Math.max(1000, Math.floor(config.timeoutMs / urls.length));
    const failures: DirectoryError[] = [];
    for (const url of urls) {
      try {
        const client = await connectClient(config, url, perUrl);
        log.debug({ server: url }, 'directory connected');
        return new LdapConnection(client, url, config, log);
      } catch (e) {
        const mapped = mapLdapError(e, url, config.bindDn);
        log.warn({ server: url, code: mapped.code, reason: mapped.message }, 'directory connection failed');
        if (mapped instanceof DirectoryAuthError || mapped instanceof DirectoryRightsError) throw mapped;
        failures.push(mapped);
      }
    }
    // Prefer the most specific reason: a TLS problem says more than "refused".
    const tlsFailure = failures.find((f) => f instanceof DirectoryTlsError);
    if (tlsFailure && failures.length === 1) throw tlsFailure;
    const reasons = failures.map((f) => f.message).join('; ');
    throw new DirectoryUnavailableError(`No domain controller answered (${reasons})`, { cause: failures.at(-1), servers: urls });
  }

  private ready(): Promise<Client> {
    if (!this.client) {
      const next = connectClient(this.config, this.server, this.config.timeoutMs);
      next.then(
        (c) => {
          if (this.client === next) this.current = c;
        },
        () => {
          if (this.client === next) this.client = undefined;
        },
      );
      this.client = next;
    }
    return this.client;
  }

  /**
   * `p` (a request on `client`) within `ms`; otherwise the client is dropped (the answer may still
   * come and would be read as the next one's) and a DirectoryTimeoutError says `why`.
   */
  private timed<T>(client: Client, p: Promise<T>, ms: number, why: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        if (this.current === client) this.current = undefined;
        if (this.client) void this.client.then((c) => c === client && (this.client = undefined), () => undefined);
        void client.unbind().catch(() => undefined);
        reject(new DirectoryTimeoutError(`${hostOf(this.server)} timed out: ${why}`, { server: this.server }));
      }, ms);
    });
    p.catch(() => undefined); // lost the race: its rejection (the closed socket) is not news
    return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
  }

  /**
   * With LOG_LEVEL=debug: every request's base, scope, filter (as LDAP text, values escaped by
   * ldapts), entries and milliseconds — which lookup is slow on a DC, without a packet capture.
   */
  private trace(what: string, req: SearchRequest, started: number, entries: number | undefined, error?: unknown): void {
    if (!this.log.isLevelEnabled('debug')) return;
    const filter = req.filter?.toString() ?? '(objectClass=*)';
    this.log.debug(
      { server: this.server, base: req.base, scope: req.scope ?? 'sub', filter: filter.length > 300 ? `${filter.slice(0, 300)}… (${filter.length} chars)` : filter, entries, ms: Math.round(performance.now() - started), ...(error ? { error: (error as Error).message } : {}) },
      `ldap ${what}`,
    );
  }

  /** What a timed-out request was, for its error: the operation and its base. */
  private static describe(req: SearchRequest): string {
    return `a ${req.scope ?? 'sub'} search of "${req.base || 'the rootDSE'}"`;
  }

  /** One search, all pages (for bounded result sets). */
  async search(req: SearchRequest): Promise<Entry[]> {
    const started = performance.now();
    try {
      const client = await this.ready();
      const { searchEntries } = await this.timed(
        client,
        client.search(req.base, {
          scope: req.scope ?? 'sub',
          filter: req.filter,
          attributes: req.attributes,
          explicitBufferAttributes: req.binary ?? [],
          sizeLimit: req.sizeLimit ?? 0,
          timeLimit: dcTimeLimit(this.config.timeoutMs),
          paged: req.scope === 'base' ? false : { pageSize: this.config.pageSize },
        }),
        this.config.timeoutMs,
        `no answer in time (operation timeout: ${LdapConnection.describe(req)} took longer than LDAP_TIMEOUT_MS=${this.config.timeoutMs})`,
      );
      this.trace('search', req, started, searchEntries.length);
      return searchEntries;
    } catch (e) {
      this.trace('search', req, started, undefined, e);
      throw mapLdapError(e, this.server, this.config.bindDn);
    }
  }

  /**
   * Page by page, for scans that can be large: memory stays bounded by two pages. The next page is
   * requested as soon as one arrives, so the DC prepares it while the caller works on this one.
   * The first page may take LDAP_SCAN_TIMEOUT_MS (the DC computes the whole result set first),
   * every later one LDAP_TIMEOUT_MS.
   */
  async *searchPages(req: SearchRequest): AsyncGenerator<Entry[]> {
    let pending: Promise<IteratorResult<{ searchEntries: Entry[] }>> | undefined;
    let pages: AsyncIterator<{ searchEntries: Entry[] }> | undefined;
    try {
      const client = await this.ready();
      const scanMs = this.config.scanTimeoutMs ?? DEFAULT_SCAN_TIMEOUT_MS;
      const paginated = client.searchPaginated(req.base, {
        scope: req.scope ?? 'sub',
        filter: req.filter,
        attributes: req.attributes,
        explicitBufferAttributes: req.binary ?? [],
        // One SearchRequest carries every page: the longest budget, the first page's.
        timeLimit: dcTimeLimit(scanMs),
        paged: { pageSize: this.config.pageSize },
      });
      pages = paginated[Symbol.asyncIterator]();
      let started = performance.now();
      let n = 0;
      pending = this.timed(client, pages.next(), scanMs, `no first page of the scan within ${scanMs} ms (the DC builds the whole result before page one; raise LDAP_SCAN_TIMEOUT_MS for a directory this size)`);
      for (;;) {
        const page = await pending;
        pending = undefined;
        if (page.done) return;
        this.trace(`page ${++n}`, req, started, page.value.searchEntries.length);
        started = performance.now();
        pending = this.timed(client, pages.next(), this.config.timeoutMs, `no next page in time (operation timeout: page ${n + 1} of ${LdapConnection.describe(req)} took longer than LDAP_TIMEOUT_MS=${this.config.timeoutMs})`);
        pending.catch(() => undefined); // surfaced by the await above, or dropped if the caller stops early
        yield page.value.searchEntries;
      }
    } catch (e) {
      throw mapLdapError(e, this.server, this.config.bindDn);
    } finally {
      // The caller stopped early: let the request in flight finish, then end the search.
      if (pending) void pending.then(() => pages?.return?.(undefined), () => undefined);
    }
  }

  /**
   * False once the socket closed (the DC or the network ended it) or a request timed out and the
   * client was dropped: a pool must not lend it again.
   */
  get connected(): boolean {
    return this.current?.isConnected ?? false;
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.current = undefined;
    await client?.then((c) => c.unbind()).catch(() => undefined);
  }
}

async function withDeadline<T>(p: Promise<T>, ms: number, server: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DirectoryTimeoutError(`${hostOf(server)} timed out: no answer within ${ms} ms`, { server })), ms);
  });
  try {
    return await Promise.race([p, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
