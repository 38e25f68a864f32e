/**
 * A bounded pool of bound LDAP connections to the DCs, shared by every request of a server (issue
 * 15: twenty concurrent why-401s must not open a hundred connections). At most `size` connections
 * are open at any time. LDAP multiplexes: one connection carries several operations at once
 * (message IDs), so a search takes the least busy connection, a new one while below `size`, or a
 * busy one below `maxOperations` in flight — requests share the DC's connections instead of queueing
 * behind each other's round trips. Idle connections close after `idleMs`. A connection whose socket
 * closed, or whose search failed for a connection reason (closed, reset, timed out), is dropped. A
 * search that waits longer than `waitMs` for room fails with DirectoryPoolTimeoutError.
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
  /** Longest wait for room on a connection before DirectoryPoolTimeoutError (LDAP_POOL_WAIT_MS, default 10 000). */
  waitMs: number;
  /** Most operations in flight on one connection (default 8; 1: a connection per search). */
  maxOperations?: number;
}

export interface LdapPoolStats {
  /** Connections open now (busy + idle + being opened). */
  open: number;
  /** Connections with an operation in flight. */
  inUse: number;
  idle: number;
  /** Operations in flight over all connections. */
  operations: number;
  /** Searches waiting for room now. */
  waiting: number;
  /** The most connections ever open at once (never above size). */
  maxOpen: number;
  /** Connections opened and dropped (broken or closed when idle) since the pool started. */
  opened: number;
  dropped: number;
  /** Searches that gave up waiting. */
  waitTimeouts: number;
  size: number;
}

/** How a pool opens one connection (tests substitute a counting or failing one). */
export type ConnectionFactory = () => Promise<LdapConnection>;

interface Slot {
  conn: LdapConnection;
  ops: number;
  /** Not used yet: a failure on it is not a stale connection's. */
  fresh: boolean;
  idleTimer?: NodeJS.Timeout;
}

interface Waiter {
  resolve: (s: Slot) => void;
  reject: (e: unknown) => void;
  timer: NodeJS.Timeout;
}

/** A connection reason to drop it: the socket is gone or the DC stopped answering on it. */
const isBroken = (e: unknown) => e instanceof DirectoryUnavailableError || e instanceof DirectoryTimeoutError;

export const DEFAULT_MAX_OPERATIONS = 8;

export class LdapPool {
  private readonly slots: Slot[] = [];
  private readonly waiters: Waiter[] = [];
  private opening = 0;
  private closed = false;
  private lastServer: string;
  private readonly maxOps: number;
  private readonly counters = { maxOpen: 0, opened: 0, dropped: 0, waitTimeouts: 0 };

  constructor(
    private readonly connect: ConnectionFactory,
    readonly options: LdapPoolOptions,
    private readonly log: Logger,
    server: string,
  ) {
    if (!(options.size >= 1)) throw new RangeError('an LDAP pool needs at least one connection');
    this.maxOps = Math.max(1, options.maxOperations ?? DEFAULT_MAX_OPERATIONS);
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

  stats(): LdapPoolStats {
    const busy = this.slots.filter((s) => s.ops > 0);
    return {
      open: this.slots.length + this.opening,
      inUse: busy.length,
      idle: this.slots.length - busy.length,
      operations: busy.reduce((n, s) => n + s.ops, 0),
      waiting: this.waiters.length,
      ...this.counters,
      size: this.options.size,
    };
  }

  private closedError(): DirectoryUnavailableError {
    return new DirectoryUnavailableError('the directory connection pool is closed (shutting down)', { servers: [this.lastServer] });
  }

  /** The least busy live connection (connections the DC closed while idle are dropped here). */
  private leastBusy(): Slot | undefined {
    let best: Slot | undefined;
    for (const s of [...this.slots]) {
      if (s.ops === 0 && !s.conn.connected) {
        this.remove(s, 'closed while idle');
        continue;
      }
      if (!best || s.ops < best.ops) best = s;
    }
    return best;
  }

  private take(s: Slot): Slot {
    if (s.idleTimer) clearTimeout(s.idleTimer);
    s.idleTimer = undefined;
    s.ops++;
    return s;
  }

  /** Room for one operation: an idle connection, a new one while below size, a busy one below maxOperations, or the next freed. */
  private async acquire(): Promise<Slot> {
    if (this.closed) throw this.closedError();
    const best = this.leastBusy();
    if (best && best.ops === 0) return this.take(best);
    if (this.slots.length + this.opening < this.options.size) return this.openSlot();
    if (best && best.ops < this.maxOps) return this.take(best);
    return new Promise<Slot>((resolve, reject) => {
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

  private async openSlot(): Promise<Slot> {
    this.opening++;
    this.counters.maxOpen = Math.max(this.counters.maxOpen, this.slots.length + this.opening);
    try {
      const conn = await this.connect();
      this.counters.opened++;
      this.lastServer = conn.server;
      const slot: Slot = { conn, ops: 1, fresh: true };
      this.slots.push(slot);
      return slot;
    } finally {
      this.opening--;
    }
  }

  /** One operation ended on `s`; a broken connection is dropped and its room goes to the next waiter. */
  private release(s: Slot, broken: boolean): void {
    s.ops--;
    if (broken || this.closed) {
      if (this.slots.includes(s)) this.remove(s, broken ? 'broken' : 'closing');
      else if (s.ops === 0) void s.conn.close();
    }
    this.serveWaiters();
    if (s.ops === 0 && this.slots.includes(s) && !s.idleTimer) {
      s.idleTimer = setTimeout(() => {
        if (s.ops === 0) this.remove(s, 'idle');
      }, this.options.idleMs);
      s.idleTimer.unref();
    }
  }

  /** Hands freed room (or a free slot to open a connection) to waiting searches, first come first served. */
  private serveWaiters(): void {
    while (this.waiters.length && !this.closed) {
      const best = this.leastBusy();
      let next: Promise<Slot> | Slot;
      if (best && best.ops === 0) next = this.take(best);
      else if (this.slots.length + this.opening < this.options.size) next = this.openSlot();
      else if (best && best.ops < this.maxOps) next = this.take(best);
      else return;
      const w = this.waiters.shift()!;
      clearTimeout(w.timer);
      Promise.resolve(next).then(w.resolve, (e: unknown) => {
        w.reject(e);
        this.serveWaiters();
      });
    }
  }

  private remove(s: Slot, why: string): void {
    const i = this.slots.indexOf(s);
    if (i >= 0) this.slots.splice(i, 1);
    if (s.idleTimer) clearTimeout(s.idleTimer);
    this.counters.dropped++;
    this.log.debug({ server: s.conn.server, why }, 'directory connection closed');
    // Operations still in flight on a broken connection fail on their own; close it when they are done.
    if (s.ops === 0 || why === 'broken') void s.conn.close();
  }

  /** Runs `fn` on pooled room; a connection failure drops the connection, and a reused one is retried once on another. */
  async use<T>(fn: (conn: LdapConnection) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const s = await this.acquire();
      const reused = !s.fresh;
      s.fresh = false;
      try {
        const out = await fn(s.conn);
        this.release(s, false);
        return out;
      } catch (e) {
        this.release(s, isBroken(e));
        // A connection the DC closed meanwhile: reads are safe to repeat once on another.
        if (!(reused && attempt === 0 && e instanceof DirectoryUnavailableError)) throw e;
      }
    }
  }

  /** A searcher for one request: every search takes room on a pooled connection; close() closes nothing (the pool owns them). */
  searcher(): LdapSearcher {
    const server = () => this.server;
    return {
      get server() {
        return server();
      },
      search: (req) => this.use((c) => c.search(req)),
      searchPages: (req) => this.pagesOf(req),
      close: async () => undefined,
    };
  }

  /** A paged search keeps one connection to its end. */
  private async *pagesOf(req: SearchRequest): AsyncGenerator<Entry[]> {
    const s = await this.acquire();
    let broken = false;
    try {
      yield* s.conn.searchPages(req);
    } catch (e) {
      broken = isBroken(e);
      throw e;
    } finally {
      this.release(s, broken);
    }
  }

  /** Holds room for one operation until the returned function is called (tests: a pool kept busy). */
  async hold(): Promise<() => void> {
    const s = await this.acquire();
    return () => this.release(s, false);
  }

  /** Closes every idle connection now and every busy one when its operations end; waiters fail. */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(this.closedError());
    }
    const idle = this.slots.filter((s) => s.ops === 0);
    for (const s of idle) {
      const i = this.slots.indexOf(s);
      this.slots.splice(i, 1);
      if (s.idleTimer) clearTimeout(s.idleTimer);
      this.counters.dropped++;
    }
    await Promise.all(idle.map((s) => s.conn.close()));
  }
}
