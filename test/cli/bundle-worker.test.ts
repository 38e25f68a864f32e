/**
 * The bundled CLI indexes a large export on worker threads: the worker is its own entry of the bundle
 * (dist/bin/ldif-worker.js, build/bundle-options.mjs), found from the chunk that loads it, and gives
 * the answer one thread gives; without it the CLI says so with a coded error instead of hanging.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs build script without types
import { bundleOptions } from '../../build/bundle-options.mjs';
import { exportText } from '../helpers/ldif-export.js';

let dir: string;
let ldif: string;

beforeAll(async () => {
  // Inside the repository, so that the bundle's external packages resolve from node_modules.
  mkdirSync('test-output', { recursive: true });
  dir = mkdtempSync(path.resolve('test-output/bundle-worker-'));
  await build({ ...bundleOptions(dir), logLevel: 'silent' });
  writeFileSync(path.join(dir, 'krbops.mjs'), "await import('./cli.js');\n"); // as the bin does (build/bundle-cli.mjs)
  // Over 8 MiB (the size from which an export is indexed on several threads), a few duplicates.
  const head = exportText('\r\n');
  const accounts = Array.from({ length: 24_000 }, (_, i) =>
    [`dn: CN=svc${i},OU=Service Accounts,DC=contoso,DC=test`, 'changetype: add', 'objectClass: top', 'objectClass: user', `sAMAccountName: svc${i}`, `servicePrincipalName: HTTP/app${i % 23_990}.contoso.test`, ...Array.from({ length: 6 }, (_, g) => `memberOf: CN=A group with a long name ${g},OU=Groups,DC=contoso,DC=test`), `uSNChanged: ${5000 + i}`].join('\r\n'),
  );
  ldif = path.join(dir, 'big.ldf');
  writeFileSync(ldif, [head, ...accounts].join('\r\n\r\n'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (threads: number) => spawnSync(process.execPath, [path.join(dir, 'krbops.mjs'), 'spn', 'dupes', '--ldif', ldif, '--json'], { encoding: 'utf8', env: { ...process.env, KRBOPS_LDIF_THREADS: String(threads) } });
const answer = (out: string) => {
  const r = JSON.parse(out) as { durationMs?: number };
  delete r.durationMs;
  return r;
};

describe('the bundled CLI on a large export', () => {
  it('indexes on worker threads and answers as on one thread', () => {
    const one = run(1);
    expect(one.status, one.stderr).toBe(0);
    const three = run(3);
    expect(three.status, three.stderr).toBe(0);
    expect(answer(three.stdout)).toEqual(answer(one.stdout));
    expect((answer(one.stdout) as { duplicates: unknown[] }).duplicates.length).toBeGreaterThan(10);
  });

  it('says which program is missing when the worker file is gone', () => {
    rmSync(path.join(dir, 'ldif-worker.js'));
    const r = run(2);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/big\.ldf: the index worker program \(ldif-worker\.js\) is missing/);
    expect(run(1).status).toBe(0);
  });
});
