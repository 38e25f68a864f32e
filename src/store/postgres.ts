/**
 * PostgreSQL backend (`pg`): several krbops replicas share one database. Transactions run on one
 * pooled connection; migrations are serialised with a transaction-scoped advisory lock so replicas
 * that start together do not race.
 */
import pg from 'pg';
import { StoreError } from '../errors.js';
import type { SqlDriver, SqlExecutor, SqlResult, SqlValue } from './sql.js';

/** `?` placeholders → `$1, $2…` (the store's SQL has no `?` inside literals). */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** The URL without its password, for logs and /healthz. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}

async function run(client: pg.Pool | pg.PoolClient, sql: string, params: SqlValue[] = []): Promise<SqlResult> {
  const r = await client.query(numberPlaceholders(sql), params);
  return { rows: r.rows as Record<string, unknown>[], changes: r.rowCount ?? 0 };
}

export interface PostgresOptions {
  /** Pool size; default 5. */
  max?: number;
  /** Called when an idle pooled connection fails (the pool replaces it). */
  onError?: (e: Error) => void;
}

export class PostgresDriver implements SqlDriver {
  readonly kind = 'postgres' as const;
  readonly location: string;
  private readonly pool: pg.Pool;

  constructor(url: string, options: PostgresOptions = {}) {
    this.location = redactUrl(url);
    this.pool = new pg.Pool({ connectionString: url, max: options.max ?? 5, application_name: 'krbops', connectionTimeoutMillis: 10_000 });
    // Without a listener an idle connection's error (server restart) would crash the process.
    this.pool.on('error', (e) => options.onError?.(e));
  }

  query(sql: string, params: SqlValue[] = []): Promise<SqlResult> {
    return run(this.pool, sql, params);
  }

  async transaction<T>(fn: (ex: SqlExecutor) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw new StoreError(`Cannot connect to PostgreSQL at ${this.location}: ${(e as Error).message}`, e);
    }
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await fn({ query: (sql, params) => run(client, sql, params) });
      await client.query('COMMIT');
      return result;
    } catch (e) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      throw e;
    } finally {
      client.release(broken);
    }
  }

  async lockForMigration(ex: SqlExecutor): Promise<void> {
    await ex.query(`SELECT pg_advisory_xact_lock(hashtext('krbops:migrate'))`);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
