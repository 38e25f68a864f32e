/**
 * CLI start-up against node's own: `node -e 0`, then `krbops --help` and `krbops spn query <spn>
 * --json` (against the 20 000-account forest lab, restored from its snapshot), each through the
 * bundled bin (dist/bin/krbops.mjs, what `npm link` puts on the PATH) and the unbundled tsc output
 * (dist/src/cli.js) for before/after. Rounds alternate all commands so they share the load.
 *
 *   npm run build && npx tsx bench/startup.ts [rounds=20]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { forestLab } from './forest.js';
import { fmt, load, machine, median, percentile } from './lib.js';

const rounds = Number(process.argv[2] ?? 20);
if (!existsSync('dist/bin/krbops.mjs')) throw new Error('run `npm run build` first');

const lab = await forestLab(20000);
try {
  // A presence search over tens of thousands of accounts can take more than the default 5 s per page on a loaded machine.
  const env = { ...process.env, ...lab.env(), LDAP_GC_URL: '', LDAP_TIMEOUT_MS: '60000' };
  const spn = 'HTTP/fapp12345.contoso.test';
  const cases: { name: string; args: string[]; json?: boolean }[] = [
    { name: 'node -e 0', args: ['-e', '0'] },
    { name: 'krbops --help (bundled bin)', args: ['dist/bin/krbops.mjs', '--help'] },
    { name: 'krbops --help (unbundled dist/src/cli.js, before)', args: ['dist/src/cli.js', '--help'] },
    { name: `krbops spn query ${spn} --json (bundled bin)`, args: ['dist/bin/krbops.mjs', 'spn', 'query', spn, '--json'], json: true },
    { name: 'krbops spn query --json (unbundled, before)', args: ['dist/src/cli.js', 'spn', 'query', spn, '--json'], json: true },
  ];
  const times = cases.map(() => [] as number[]);
  const once = (i: number) => {
    const t = performance.now();
    const r = spawnSync(process.execPath, cases[i].args, { env, encoding: 'utf8', maxBuffer: 1 << 24 });
    const ms = performance.now() - t;
    if (r.status !== 0) throw new Error(`${cases[i].name} exited ${r.status}: ${r.stderr}`);
    if (cases[i].json && !JSON.parse(r.stdout).accounts?.length) throw new Error(`${cases[i].name}: no account in ${r.stdout.slice(0, 300)}`);
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
