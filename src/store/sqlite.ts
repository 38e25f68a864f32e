/**
 * SQLite backend (better-sqlite3): one file, WAL journal, created with its directory on first run.
 * better-sqlite3 is synchronous; the async store API is kept by running operations one after
 * another on a promise chain, so a transaction that awaits between statements is never
 * interleaved with other callers' statements on the same connection.
 *
 * Another process holding the file's write lock (`BEGIN EXCLUSIVE` in a sqlite3 shell, a backup)
 * must not freeze this one: better-sqlite3 waits for a lock synchronously, blocking the event loop
 * (every Slack ack, every Teams turn) for the whole busy_timeout. So SQLite itself waits not at all
 * (busy_timeout 0) and a busy statement is retried asynchronously, with back-off, for `busyBudgetMs`;
 * then the caller gets StoreBusyError ("the store is busy, try again").
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from '../errors.js';

/** The store's file is locked by another process for longer than krbops waits; nothing was changed. */
export class StoreBusyError extends StoreError {
  constructor(location: string, waitedMs: number) {
    super(`The store is busy (another process holds the write lock on ${location}; waited ${waitedMs} ms). Nothing was changed: try again in a moment.`);
  }
}

const isBusy = (e: unknown) => {
  const code = (e as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `fn` (synchronous SQLite work) again after short async waits while the file is locked, for at most `budgetMs`. */
async function whenFree<T>(fn: () => T, location: string, budgetMs: number): Promise<T> {
  const started = Date.now();
  for (let wait = 5; ; wait = Math.min(wait * 2, 200)) {
    try {
      return fn();
    } catch (e) {
      if (!isBusy(e)) throw e;
      const waited = Date.now() - started;
      if (waited >= budgetMs) throw new StoreBusyError(location, waited);
      await sleep(Math.min(wait, budgetMs - waited));
    }
  }
}
import type { SqlDriver, SqlExecutor, SqlResult, SqlValue } from './sql.js';

type Db = InstanceType<typeof Database>;

function bind(params: SqlValue[]): unknown[] {
  return params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));
}

function exec(db: Db, sql: string, params: SqlValue[] = []): SqlResult {
  const stmt = db.prepare(sql);
  if (stmt.reader) {
    const rows = stmt.all(...bind(params)) as Record<string, unknown>[];
    return { rows, changes: rows.length };
  }
  const info = stmt.run(...bind(params));
  return { rows: [], changes: info.changes };
}

/**
 * One connection per file per process. Two handles on one file in the same process share it: with
 * two connections, one handle's BEGIN IMMEDIATE would block the thread (better-sqlite3 waits
 * synchronously) while the other handle's open transaction can never reach its COMMIT.
 */
interface Shared {
  db: Db;
  /** Every top-level operation and transaction runs after the previous one settled. */
  chain: Promise<unknown>;
  refs: number;
}
const openFiles = new Map<string, Shared>();

export class SqliteDriver implements SqlDriver {
  readonly kind = 'sqlite' as const;
  readonly location: string;
  private readonly shared: Shared;
  private closed = false;

  /** How long a statement waits (asynchronously) for another process's lock, default 3000 ms. */
  busyBudgetMs = 3000;

  constructor(file: string) {
    const memory = file === ':memory:';
    this.location = memory ? ':memory:' : resolve(file);
    const existing = memory ? undefined : openFiles.get(this.location);
    if (existing) {
      existing.refs++;
      this.shared = existing;
      return;
    }
    let db: Db;
    try {
      if (!memory) mkdirSync(dirname(this.location), { recursive: true });
      // timeout 0: better-sqlite3 would otherwise wait up to 5 s synchronously for another process's lock.
      db = new Database(this.location, { timeout: 0 });
      if (!memory) {
        try {
          db.pragma('journal_mode = WAL');
        } catch (e) {
          // Locked by another process right now: WAL is a property of the file, set on a later open.
          if (!isBusy(e)) throw e;
        }
      }
      // Another process on the same file: never wait synchronously (whenFree waits without blocking).
      db.pragma('busy_timeout = 0');
      db.pragma('synchronous = NORMAL');
    } catch (e) {
      throw new StoreError(`Cannot open the SQLite store at ${this.location}: ${(e as Error).message}`, e);
    }
    this.shared = { db, chain: Promise.resolve(), refs: 1 };
    if (!memory) openFiles.set(this.location, this.shared);
  }

  private get db(): Db {
    return this.shared.db;
  }

  private serial<T>(fn: () => Promise<T> | T): Promise<T> {
    if (this.closed) return Promise.reject(new StoreError(`The SQLite store at ${this.location} is closed`));
    const next = this.shared.chain.then(fn, fn);
    this.shared.chain = next.catch(() => undefined);
    return next;
  }

  query(sql: string, params: SqlValue[] = []): Promise<SqlResult> {
    return this.serial(() => whenFree(() => exec(this.db, sql, params), this.location, this.busyBudgetMs));
  }

  transaction<T>(fn: (ex: SqlExecutor) => Promise<T>): Promise<T> {
    return this.serial(async () => {
      let open = true;
      const ex: SqlExecutor = {
        query: async (sql, params) => {
          if (!open) throw new StoreError('A statement ran after its SQLite transaction ended');
          return exec(this.db, sql, params);
        },
      };
      // IMMEDIATE takes the write lock at once (or waits for it, without blocking): a transaction
      // never fails half-way at its first write because another process holds the lock.
      await whenFree(() => this.db.exec('BEGIN IMMEDIATE'), this.location, this.busyBudgetMs);
      try {
        const result = await fn(ex);
        this.db.exec('COMMIT');
        return result;
      } catch (e) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw e;
      } finally {
        open = false;
      }
    });
  }

  async lockForMigration(): Promise<void> {
    // BEGIN IMMEDIATE already holds the database's write lock.
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.serial(() => undefined);
    this.closed = true;
    if (--this.shared.refs > 0) return;
    if (openFiles.get(this.location) === this.shared) openFiles.delete(this.location);
    if (this.db.open) this.db.close();
  }
}
