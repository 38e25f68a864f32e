/**
 * Snapshots of a provisioned, seeded, STOPPED lab folder (a plain tar), so a large directory is
 * built once and restored in seconds. The folder's absolute path and the DC address appear only in
 * etc/smb.conf (the ldb files hold relative paths; DNS records are added after start), so a
 * restore rewrites those two there and lets the caller issue a fresh TLS certificate for the new
 * address. Used by startLab({ snapshot }).
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const META = 'krbops-snapshot.json';

interface SnapshotMeta {
  dir: string;
  ip: string;
}

/** Write `file` (a tar of `dir`, which must hold a stopped DC). Atomic: a half-written tar is never seen. */
export async function saveSnapshot(dir: string, ip: string, file: string): Promise<void> {
  await fs.writeFile(path.join(dir, META), JSON.stringify({ dir, ip } satisfies SnapshotMeta));
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await exec('tar', ['--sparse', '-cf', tmp, '-C', dir, '.'], { maxBuffer: 1 << 24 });
  await fs.rename(tmp, file);
}

/** Unpack `file` into the empty folder `dir` and point its smb.conf at `dir` and `ip`. */
export async function restoreSnapshot(file: string, dir: string, ip: string): Promise<void> {
  await exec('tar', ['-xf', file, '-C', dir], { maxBuffer: 1 << 24 });
  const meta = JSON.parse(await fs.readFile(path.join(dir, META), 'utf8')) as SnapshotMeta;
  const smbConf = path.join(dir, 'etc', 'smb.conf');
  const ipPattern = new RegExp(`(?<![\\d.])${meta.ip.replace(/\./g, '\\.')}(?![\\d])`, 'g');
  const conf = (await fs.readFile(smbConf, 'utf8')).split(meta.dir).join(dir).replace(ipPattern, ip);
  await fs.writeFile(smbConf, conf);
}
