/**
 * SQLite backend (better-sqlite3): one file, WAL journal, created with its directory on first run.
 * better-sqlite3 is synchronous; the async store API is kept by running operations one after
 * another on a promise chain, so a transaction that awaits between statements is never
 * interleaved with other callers' statements on the same connection.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from '../errors.js';
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
      db = new Database(this.location);
      if (!memory) db.pragma('journal_mode = WAL');
      // Another process on the same file: wait for its write lock instead of failing at once.
      db.pragma('busy_timeout = 5000');
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
    return this.serial(() => exec(this.db, sql, params));
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
      // IMMEDIATE takes the write lock at once: another process on the same file waits (busy_timeout)
      // instead of failing at its first write.
      this.db.exec('BEGIN IMMEDIATE');
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
