import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { startPostgres, type PgCluster } from '../helpers/postgres.js';
import { storeContract } from './store.contract.js';

let cluster: PgCluster;
beforeAll(async () => {
  cluster = await startPostgres();
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
});

storeContract('PostgreSQL', {
  async fresh() {
    const url = await cluster.createDatabase();
    return { store: await openStore(url), reopen: () => openStore(url) };
  },
});

describe('PostgreSQL store', () => {
  it('migrates once when several replicas start at the same moment', async () => {
    const url = await cluster.createDatabase();
    const stores = await Promise.all([openStore(url), openStore(url), openStore(url)]);
    for (const s of stores) expect(await s.migrations()).toEqual([1, 2, 3, 4]);
    await Promise.all(stores.map((s) => s.close()));
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const { rows } = await c.query('SELECT count(*)::int AS n FROM schema_migrations');
    await c.end();
    expect(rows[0].n).toBe(4);
  });

  it('hides the password in its location', async () => {
    const url = (await cluster.createDatabase()).replace('krbops@', 'krbops:s3cret@');
    const store = await openStore(url);
    expect(store.kind).toBe('postgres');
    expect(store.location).not.toContain('s3cret');
    await store.close();
  });

  it('reports an unreachable server as a store error', async () => {
    await expect(openStore(`postgres://krbops@127.0.0.1:1/none`)).rejects.toMatchObject({ code: 'STORE_FAILED' });
  });
});
