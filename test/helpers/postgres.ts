/**
 * A throwaway PostgreSQL cluster for tests, from Debian's `postgresql` package (no Docker):
 * initdb into a temp dir, `pg_ctl start` on a free loopback port (and a unix socket in the same
 * dir), trust auth for the test superuser `krbops`. initdb refuses to run as root, so under root the
 * server runs as the `postgres` system user (`runuser`) and the dir is chowned to it.
 *
 * Missing binaries are a test failure, never a skip (CI must install `postgresql`).
 * Binaries: $PG_BIN, else the highest /usr/lib/postgresql/<v>/bin, else `pg_config --bindir`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface PgCluster {
  /** Connection URL of a database (default `postgres`). */
  url(database?: string): string;
  /** Creates a fresh, empty database and returns its URL. */
  createDatabase(prefix?: string): Promise<string>;
  stop(): Promise<void>;
  readonly port: number;
  readonly dir: string;
}

function findBinDir(): string {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv && existsSync(join(fromEnv, 'initdb'))) return fromEnv;
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
    if (versions.length) return join(base, versions[0], 'bin');
  }
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
    if (existsSync(join(dir, 'initdb'))) return dir;
  } catch {
    /* fall through to the error below */
  }
  throw new Error(
    'PostgreSQL server binaries not found (initdb). Install Debian\'s `postgresql` package (apt-get install postgresql) or set PG_BIN. ' +
      'The store tests need a real PostgreSQL; they are never skipped.',
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function systemUser(name: string): { uid: number; gid: number } | undefined {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  if (!line) return undefined;
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

let counter = 0;

/** Starts a cluster; call `stop()` in afterAll. */
export async function startPostgres(): Promise<PgCluster> {
  const bin = findBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'krbops-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  let runAs: string[] = [];
  if (asRoot) {
    const pgUser = systemUser('postgres');
    if (!pgUser) throw new Error('Running as root and there is no `postgres` system user to run initdb as (install the postgresql package).');
    chownSync(dir, pgUser.uid, pgUser.gid);
    runAs = ['runuser', '-u', 'postgres', '--'];
  }
  const run = (cmd: string, args: string[]) => {
    const full = [...runAs, join(bin, cmd), ...args];
    const r = spawnSync(full[0], full.slice(1), { encoding: 'utf8', cwd: dir, timeout: 60_000 });
    if (r.status !== 0) throw new Error(`${cmd} failed (${r.status ?? r.signal}): ${r.stderr || r.stdout}${existsSync(join(dir, 'log')) ? `\n${readFileSync(join(dir, 'log'), 'utf8')}` : ''}`);
    return r.stdout;
  };

  run('initdb', ['-D', data, '-U', 'krbops', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--locale=C']);
  const port = await freePort();
  // Throwaway cluster: durability off for speed. Listens on loopback and on a socket in `dir`.
  const opts = [`-p ${port}`, `-h 127.0.0.1`, `-k ${dir}`, '-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off', '-c max_connections=60'].join(' ');
  run('pg_ctl', ['-D', data, '-o', opts, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);

  let stopped = false;
  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    const full = [...runAs, join(bin, 'pg_ctl'), '-D', data, '-m', 'immediate', '-w', 'stop'];
    spawnSync(full[0], full.slice(1), { stdio: 'ignore', timeout: 30_000 });
    rmSync(dir, { recursive: true, force: true });
  };
  // A test run that dies must not leave a postgres behind.
  process.once('exit', stopSync);

  const url = (database = 'postgres') => `postgres://krbops@127.0.0.1:${port}/${database}`;
  return {
    port,
    dir,
    url,
    async createDatabase(prefix = 'krbops_test') {
      const name = `${prefix}_${process.pid}_${++counter}_${Date.now() % 100000}`;
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    async stop() {
      process.removeListener('exit', stopSync);
      stopSync();
    },
  };
}
