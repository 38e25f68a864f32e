/**
 * CLI start-up against node's own: `node -e 0`, then `krbops --help` and `krbops spn query <spn>
 * --json` against the Samba lab (the scenario; an indexed lookup does not depend on the directory's
 * size), through the bundled bin (dist/bin/krbops.mjs, what `npm link` puts on the PATH). With
 * KRBOPS_BEFORE=<folder of an older build> the same commands of that build run in the same rounds
 * (before/after in one run). Rounds alternate all commands so they share the load; medians.
 *
 *   npm run build && npx tsx bench/startup.ts [rounds=20]
 *   KRBOPS_BEFORE=/tmp/krbops-main npx tsx bench/startup.ts 20     # that folder: `git archive main` + npm run build
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startLab } from '../test/lab/lab.js';
import { fmt, load, machine, median, percentile } from './lib.js';

const rounds = Number(process.argv[2] ?? 20);
if (!existsSync('dist/bin/krbops.mjs')) throw new Error('run `npm run build` first');
const before = process.env.KRBOPS_BEFORE;

const lab = await startLab();
try {
  const env = { ...process.env, ...lab.env(), LDAP_GC_URL: '' };
  const spn = 'HTTP/crm.contoso.test';
  const cases: { name: string; args: string[]; json?: boolean }[] = [
    { name: 'node -e 0', args: ['-e', '0'] },
    { name: 'krbops --help', args: ['dist/bin/krbops.mjs', '--help'] },
    { name: `krbops spn query ${spn} --json`, args: ['dist/bin/krbops.mjs', 'spn', 'query', spn, '--json'], json: true },
    { name: 'krbops krb explain KRB_AP_ERR_MODIFIED --json (no directory)', args: ['dist/bin/krbops.mjs', 'krb', 'explain', 'KRB_AP_ERR_MODIFIED', '--json'] },
  ];
  if (before) {
    const bin = path.join(before, 'dist/bin/krbops.mjs');
    cases.push(
      { name: 'krbops --help (before)', args: [bin, '--help'] },
      { name: `krbops spn query ${spn} --json (before)`, args: [bin, 'spn', 'query', spn, '--json'], json: true },
      { name: 'krbops krb explain KRB_AP_ERR_MODIFIED --json (before)', args: [bin, 'krb', 'explain', 'KRB_AP_ERR_MODIFIED', '--json'] },
    );
  }
  const times = cases.map(() => [] as number[]);
  const once = (i: number) => {
    const t = performance.now();
    const r = spawnSync(process.execPath, cases[i].args, { env, encoding: 'utf8', maxBuffer: 1 << 24 });
    const ms = performance.now() - t;
    if (r.status !== 0) throw new Error(`${cases[i].name} exited ${r.status}: ${r.stderr}`);
    if (cases[i].json && !(JSON.parse(r.stdout) as { accounts?: unknown[] }).accounts?.length) throw new Error(`${cases[i].name}: no account in ${r.stdout.slice(0, 300)}`);
    return ms;
  };
  cases.forEach((_, i) => once(i)); // warm-up (page cache)
  const load0 = load();
  for (let r = 0; r < rounds; r++) cases.forEach((_, i) => times[i].push(once(i)));
  const load1 = load();
  const base = median(times[0]);
  console.log(`Machine: ${machine()}; ${rounds} alternating rounds; load ${load0} → ${load1}\n`);
  console.log('| command | median ms | p90 ms | × `node -e 0` (median) |');
  console.log('| --- | ---: | ---: | ---: |');
  cases.forEach((c, i) => console.log(`| ${c.name} | ${fmt(median(times[i]))} | ${fmt(percentile(times[i], 90))} | ${(median(times[i]) / base).toFixed(2)}× |`));
} finally {
  await lab.stop();
}
