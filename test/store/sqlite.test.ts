import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { storeContract } from './store.contract.js';

const root = mkdtempSync(join(tmpdir(), 'krbops-sqlite-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

storeContract('SQLite', {
  async fresh() {
    const file = join(root, `s${++n}`, 'krbops.db');
    return { store: await openStore(file), reopen: () => openStore(file) };
  },
});

describe('SQLite store file', () => {
  it('creates the directory of the database file on first run and uses the WAL journal', async () => {
    const file = join(root, 'nested', 'data', 'krbops.db');
    expect(existsSync(join(root, 'nested'))).toBe(false);
    const store = await openStore(file);
    await store.setState('k', 'v');
    await store.close();
    expect(existsSync(file)).toBe(true);
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare('SELECT version, name FROM schema_migrations').all()).toEqual([{ version: 1, name: expect.stringContaining('initial') }, { version: 2, name: expect.stringContaining('command audit') }, { version: 3, name: expect.stringContaining('alert outbox') }, { version: 4, name: expect.stringContaining('approvals expire') }]);
    db.close();
  });

  it('accepts a sqlite: prefix and an in-memory database', async () => {
    const file = join(root, 'prefixed.db');
    const a = await openStore(`sqlite:${file}`);
    expect(a.location).toBe(file);
    await a.close();
    const mem = await openStore(':memory:');
    expect(mem.kind).toBe('sqlite');
    await mem.setState('x', [1, 2]);
    expect(await mem.getState('x')).toEqual([1, 2]);
    await mem.close();
  });

  it('reports a file it cannot create as a store error naming the path', async () => {
    // A regular file where the directory should be.
    const blocker = join(root, 'blocker');
    writeFileSync(blocker, 'not a directory');
    const file = join(blocker, 'data', 'krbops.db');
    await expect(openStore(file)).rejects.toMatchObject({ code: 'STORE_FAILED', message: expect.stringContaining(file) });
  });
});
