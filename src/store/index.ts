/**
 * `openStore(url)`: PostgreSQL when the URL starts with postgres:// or postgresql://, otherwise a
 * SQLite file (default ./data/krbops.db, its directory created on first run; `:memory:` for a
 * throwaway store). Pending migrations are applied before the store is returned.
 */
import type { PostgresOptions } from './postgres.js';
import { SqlStore } from './sql.js';
import type { Store } from './types.js';

export type { Store, StoreOps } from './types.js';
export * from './types.js';

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

export interface OpenStoreOptions {
  postgres?: PostgresOptions;
}

/** Opens (and migrates) the store named by `url` (config.dbUrl). Throws StoreError. */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  // Each backend's driver (pg, better-sqlite3) is loaded only when it is used: the CLI starts faster.
  const driver = isPostgresUrl(url)
    ? new (await import('./postgres.js')).PostgresDriver(url, options.postgres)
    : new (await import('./sqlite.js')).SqliteDriver(url.replace(/^sqlite:(\/\/)?/i, '') || './data/krbops.db');
  const store = new SqlStore(driver);
  try {
    await store.migrate();
  } catch (e) {
    await store.close().catch(() => undefined);
    throw e;
  }
  return store;
}
