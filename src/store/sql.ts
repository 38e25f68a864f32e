/**
 * The store written once in portable SQL over a tiny driver interface. Both dialects accept the
 * same statements (`INSERT … ON CONFLICT`, `RETURNING`); the few differences are flags on the
 * driver. One file per table family under ./sql/ (kv, runs, conversations, spn-owners, approvals,
 * command-audit),
 * chained into SqlOps; SqlStore adds transactions, migrations and lifecycle.
 */
import { StoreError } from '../errors.js';
import { MIGRATIONS } from './migrations.js';
import { CommandAuditOps } from './sql/command-audit.js';
import { Busy, iso, type SqlDriver } from './sql/base.js';
import type { ClaimOptions, ClaimResult, Store, StoreKind, StoreOps } from './types.js';

export { spnInstance, type SqlDriver, type SqlExecutor, type SqlResult, type SqlValue } from './sql/base.js';

/** Every table family's operations, bound to one executor (the pool, or a transaction's connection). */
export class SqlOps extends CommandAuditOps implements StoreOps {}

/** A store over a driver: the operations plus transactions, migrations and lifecycle. */
export class SqlStore extends SqlOps implements Store {
  readonly kind: StoreKind;
  readonly location: string;
  private closed = false;

  constructor(private readonly driver: SqlDriver) {
    super(driver, driver.kind);
    this.kind = driver.kind;
    this.location = driver.location;
  }

  /** Creates the migrations table and applies pending migrations; safe when replicas start together. */
  async migrate(): Promise<number[]> {
    const applied: number[] = [];
    // Up to date (the usual open): no write transaction, so a read-only command works while another process holds the write lock.
    const have = await this.migrations().catch(() => [] as number[]);
    if (MIGRATIONS.every((m) => have.includes(m.version))) return applied;
    try {
      await this.driver.transaction(async (ex) => {
        await this.driver.lockForMigration(ex);
        await ex.query(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
        const { rows } = await ex.query(`SELECT version FROM schema_migrations`);
        const have = new Set(rows.map((r) => Number(r.version)));
        for (const m of MIGRATIONS) {
          if (have.has(m.version)) continue;
          for (const stmt of this.kind === 'sqlite' ? m.sqlite : m.postgres) await ex.query(stmt);
          await ex.query(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`, [m.version, m.name, iso()]);
          applied.push(m.version);
        }
      });
    } catch (e) {
      throw new StoreError(`Could not migrate the ${this.kind} store at ${this.location}: ${(e as Error).message}`, e);
    }
    return applied;
  }

  async migrations(): Promise<number[]> {
    const { rows } = await this.q(`SELECT version FROM schema_migrations ORDER BY version`);
    return rows.map((r) => Number(r.version));
  }

  async transaction<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T> {
    return this.driver.transaction((ex) => fn(new SqlOps(ex, this.kind)));
  }

  override async claimRun(o: ClaimOptions): Promise<ClaimResult> {
    try {
      return await this.driver.transaction((ex) => new SqlOps(ex, this.kind).claimInTransaction(o));
    } catch (e) {
      if (e instanceof Busy) return { claimed: false, reason: 'busy' };
      if (e instanceof StoreError) throw e;
      throw new StoreError(`The ${this.kind} store failed: ${(e as Error).message}`, e);
    }
  }

  override async finishRun(runId: number, result: Parameters<StoreOps['finishRun']>[1]): Promise<void> {
    await this.driver.transaction((ex) => new SqlOps(ex, this.kind).finishRun(runId, result));
  }

  async ping(): Promise<void> {
    await this.setState('krbops:ping', { at: iso() });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.driver.close();
  }
}
