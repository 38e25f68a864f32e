/**
 * A cached forest lab kept running for work by hand (timing filters with ldapsearch, tracing krbops):
 *
 *   npx tsx bench/forest-lab.ts start 50000    # restores forest-v4-50000.tar, prints `export …` lines
 *   npx tsx bench/forest-lab.ts stop 50000
 *
 * State in .lab/forest-N.json (git-ignored). Samba stops by itself after 3 h whatever happens.
 */
import { existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { attachLab, type LabInfo } from '../test/lab/lab.js';
import { forestLab } from './forest.js';

const [cmd, size] = process.argv.slice(2);
const n = Number(size);
if (!['start', 'stop', 'env'].includes(cmd ?? '') || !Number.isInteger(n) || n <= 0) {
  console.error('usage: npx tsx bench/forest-lab.ts start|stop|env N');
  process.exit(2);
}
const state = path.join(import.meta.dirname, '..', '.lab', `forest-${n}.json`);
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const printEnv = (info: LabInfo) => {
  const lab = attachLab(info);
  for (const [k, v] of Object.entries({ ...lab.env(), LDAPTLS_CACERT: info.caFile, LDAPTLS_REQCERT: 'demand', LAB_BASE: info.baseDn, LAB_URL: info.ldapsUrl, LAB_UPN: info.bindUpn, LAB_PW: info.bindPassword })) console.log(`export ${k}=${q(v)}`);
};
if (cmd === 'start') {
  if (existsSync(state)) throw new Error(`${state} exists: stop that lab first`);
  const lab = await forestLab(n, { detached: true });
  mkdirSync(path.dirname(state), { recursive: true });
  writeFileSync(state, JSON.stringify(lab.info(), null, 2));
  printEnv(lab.info());
} else if (!existsSync(state)) {
  console.error(`no ${state}`);
  process.exit(1);
} else if (cmd === 'env') {
  printEnv(JSON.parse(readFileSync(state, 'utf8')) as LabInfo);
} else {
  await attachLab(JSON.parse(readFileSync(state, 'utf8')) as LabInfo).stop();
  unlinkSync(state);
}
