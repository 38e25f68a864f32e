/**
 * A bounded pool of bound LDAP connections to the DCs, shared by every request of a server (issue
 * 15: twenty concurrent why-401s must not open a hundred connections). At most `size` connections
 * are open at any time; a request takes one per search (a paged scan keeps its connection until it
 * ends) and gives it back. Idle connections close after `idleMs`. A connection whose search failed
 * for a connection reason (closed, reset, timed out) is dropped, not given back; a request that
 * waits longer than `waitMs` for a free connection fails with DirectoryPoolTimeoutError.
 */
import type { Logger } from 'pino';
import type { LdapConfig } from '../config.js';
import { DirectoryPoolTimeoutError, DirectoryTimeoutError, DirectoryUnavailableError } from '../errors.js';
import { LdapConnection, type Entry, type SearchRequest } from './ldap-client.js';

/** What LdapDirectory needs of a connection: one bound connection, or a pool lending one per search. */
export interface LdapSearcher {
  readonly server: string;
  search(req: SearchRequest): Promise<Entry[]>;
  searchPages(req: SearchRequest): AsyncGenerator<Entry[]>;
  close(): Promise<void>;
}

export interface LdapPoolOptions {
  /** Most connections open at once (LDAP_POOL_SIZE, default 4). */
  size: number;
  /** An unused connection closes after this (LDAP_POOL_IDLE_MS, default 30 000). */
  idleMs: number;
  /** Longest wait for a free connection before DirectoryPoolTimeoutError (LDAP_POOL_WAIT_MS, default 10 000). */
  waitMs: number;
}

export interface LdapPoolStats {
  /** Connections open now (in use + idle + being opened). */
  open: number;
  inUse: number;
  idle: number;
  /** Requests waiting for a connection now. */
  waiting: number;
  /** The most connections ever open at once (never above size). */
  maxOpen: number;
  /** Connections opened and dropped (broken or closed when idle) since the pool started. */
  opened: number;
  dropped: number;
  /** Requests that gave up waiting. */
  waitTimeouts: number;
  size: number;
}

/** How a pool opens one connection (tests substitute a counting or failing one). */
export type ConnectionFactory = () => Promise<LdapConnection>;

interface Waiter {
  resolve(c: LdapConnection): void;
  reject(e: unknown): void;
  timer: NodeJS.Timeout;
}

/** A connection reason to drop it: the socket is gone or the DC stopped answering on it. */
const isBroken = (e: unknown) => e instanceof DirectoryUnavailableError || e instanceof DirectoryTimeoutError;

export class LdapPool {
  private readonly idle: { conn: LdapConnection; timer: NodeJS.Timeout }[] = [];
  private readonly waiters: Waiter[] = [];
  private opening = 0;
  private inUse = 0;
  private closed = false;
  private lastServer: string;
  private readonly counters = { maxOpen: 0, opened: 0, dropped: 0, waitTimeouts: 0 };

  constructor(
    private readonly connect: ConnectionFactory,
    readonly options: LdapPoolOptions,
    private readonly log: Logger,
    server: string,
  ) {
    if (!(options.size >= 1)) throw new RangeError('an LDAP pool needs at least one connection');
    this.lastServer = server;
  }

  /** A pool of connections to the first DC of `urls` that answers (LdapConnection.open per connection). */
  static forUrls(config: LdapConfig, urls: string[], options: LdapPoolOptions, log: Logger): LdapPool {
    return new LdapPool(() => LdapConnection.open(config, urls, log), options, log, urls[0] ?? '');
  }

  /** The DC the latest connection was opened to. */
  get server(): string {
    return this.lastServer;
  }

  private get openCount(): number {
    return this.inUse + this.idle.length + this.opening;
  }

  stats(): LdapPoolStats {
    return { open: this.openCount, inUse: this.inUse, idle: this.idle.length, waiting: this.waiters.length, ...this.counters, size: this.options.size };
  }

  /** A connection for one caller: an idle one, a new one while below size, else the next one given back. */
  async acquire(): Promise<LdapConnection> {
    if (this.closed) throw new DirectoryUnavailableError('the directory connection pool is closed (shutting down)', { servers: [this.lastServer] });
    for (let idle = this.idle.pop(); idle; idle = this.idle.pop()) {
      clearTimeout(idle.timer);
      // The DC (or the network) closed it while it waited: never lend a connection that would reconnect unbound.
      if (!idle.conn.connected) {
        this.drop(idle.conn, 'closed while idle');
        continue;
      }
      this.inUse++;
      return idle.conn;
    }
    if (this.openCount < this.options.size) {
      this.opening++;
      this.counters.maxOpen = Math.max(this.counters.maxOpen, this.openCount);
      try {
        const conn = await this.connect();
        this.counters.opened++;
        this.lastServer = conn.server;
        this.opening--;
        this.inUse++;
        return conn;
      } catch (e) {
        this.opening--;
        this.handOnSlot();
        throw e;
      }
    }
    return new Promise<LdapConnection>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          this.counters.waitTimeouts++;
          reject(new DirectoryPoolTimeoutError(`all ${this.options.size} directory connections stayed busy for ${this.options.waitMs} ms (LDAP_POOL_SIZE, LDAP_POOL_WAIT_MS)`, { server: this.lastServer }));
        }, this.options.waitMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** Gives a connection back; a broken one is closed and its slot goes to the next waiter. */
  release(conn: LdapConnection, broken = false): void {
    this.inUse--;
    const waiter = broken || this.closed ? undefined : this.waiters.shift();
    if (waiter) {
      clearTimeout(waiter.timer);
      this.inUse++;
      waiter.resolve(conn);
      return;
    }
    if (broken || this.closed) {
      this.drop(conn, broken ? 'broken' : 'closing');
      this.handOnSlot();
      return;
    }
    const entry = { conn, timer: setTimeout(() => this.expire(entry), this.options.idleMs) };
    entry.timer.unref();
    this.idle.push(entry);
  }

  /** A slot freed up (a connection dropped or failed to open): the first waiter opens a new connection. */
  private handOnSlot(): void {
    const waiter = this.waiters.shift();
    if (!waiter) return;
    clearTimeout(waiter.timer);
    this.acquire().then(waiter.resolve, waiter.reject);
  }

  private expire(entry: { conn: LdapConnection; timer: NodeJS.Timeout }): void {
    const i = this.idle.indexOf(entry);
    if (i < 0) return;
    this.idle.splice(i, 1);
    this.drop(entry.conn, 'idle');
  }

  private drop(conn: LdapConnection, why: string): void {
    this.counters.dropped++;
    this.log.debug({ server: conn.server, why }, 'directory connection closed');
    void conn.close();
  }

  /** Runs `fn` on a pooled connection; a connection failure drops it, and a reused idle one is retried once on a fresh connection. */
  async use<T>(fn: (conn: LdapConnection) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const wasIdle = this.idle.length > 0;
      const conn = await this.acquire();
      try {
        const out = await fn(conn);
        this.release(conn);
        return out;
      } catch (e) {
        this.release(conn, isBroken(e));
        // An idle connection the DC closed meanwhile: reads are safe to repeat once on a new one.
        if (!(wasIdle && attempt === 0 && e instanceof DirectoryUnavailableError)) throw e;
      }
    }
  }

  /** A searcher for one request: every search borrows a connection; close() gives nothing back (the pool owns them). */
  searcher(): LdapSearcher {
    const pool = this;
    return {
      get server() {
        return pool.server;
      },
      search: (req) => pool.use((c) => c.search(req)),
      async *searchPages(req) {
        const conn = await pool.acquire();
        let broken = false;
        try {
          yield* conn.searchPages(req);
        } catch (e) {
          broken = isBroken(e);
          throw e;
        } finally {
          pool.release(conn, broken);
        }
      },
      close: async () => undefined,
    };
  }

  /** Closes every idle connection now and every busy one when it is given back; waiters fail. */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new DirectoryUnavailableError('the directory connection pool is closed (shutting down)', { servers: [this.lastServer] }));
    }
    const idle = this.idle.splice(0);
    for (const e of idle) clearTimeout(e.timer);
    this.counters.dropped += idle.length;
    await Promise.all(idle.map((e) => e.conn.close()));
  }
}
