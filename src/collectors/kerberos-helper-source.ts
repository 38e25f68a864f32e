/**
 * The Kerberos helper's program (run by src/collectors/kerberos-helper.ts as `node -e <this>`): a
 * small, long-lived Node process that does every Kerberos step of a why-401, so the bot (a large
 * process) never forks per request. It is a constant: no user text on any command line; requests
 * arrive as JSON lines on stdin, `--` ends kinit's and kvno's options, a password goes to kinit's
 * stdin only.
 *
 * TGT policy: the probe identity's TGT is obtained once (kinit, into the helper's private 0700
 * directory) and reused while it has more than `policy.marginMs` left (KDC time, from the cache
 * itself) and is younger than `policy.maxAgeMs`; it is dropped on any failure that is not the KDC's
 * answer about one SPN. Each probe works on a fresh copy of the TGT-only cache, removed after the
 * probe: no service ticket is ever reused, every probe makes its own TGS-REQ (a stale keytab or a
 * moved SPN is seen at once).
 *
 * GSSAPI (the npm `kerberos` addon) reads KRB5CCNAME and KRB5_CONFIG from this process's
 * environment, so the step that gets the ticket runs under a lock with the probe's own cache and
 * krb5 configuration set; a step that outlives twice its time ends the helper (the bot restarts it).
 *
 * Requests: {id, op:'kdc', identity, spns, timeoutMs, policy, binDir?} → {id, tgt, kvno} | {id, kinit}
 *           {id, op:'init', identity, module, service, krb5Config, timeoutMs, policy, binDir?} → {id, tgt, token} | {id, error, stage}
 *           {id, op:'finish', ctx, token} → {id, complete} | {id, error};  {op:'end', ctx} (no answer)
 *           {id, op:'status'} → {id, pid, tgts: [{obtainedAt, endMs, file}], contexts}
 */
export const KERBEROS_HELPER_SOURCE = String.raw`
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const fsp = require('node:fs/promises');
const path = require('node:path');
const DIR = process.env.KRBOPS_HELPER_DIR;
const OWN_CONF = path.join(DIR, 'krb5-probe.conf');
// First in KRB5_CONFIG: MIT takes the first value of a relation. What browsers do: no canonicalisation, no reverse DNS.
fs.writeFileSync(OWN_CONF, '[libdefaults]\n\tdns_canonicalize_hostname = false\n\trdns = false\n', { mode: 0o600 });
const send = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const children = new Set();
let seq = 0;
const MAX_OUT = 65536;

function run(cmd, args, env, input, timeoutMs) {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let child;
    try {
      child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (e) {
      return resolve({ code: null, stdout, stderr, timedOut, spawnError: e.code || e.message });
    }
    children.add(child);
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, Math.max(50, timeoutMs));
    child.stdout.on('data', (d) => { if (stdout.length < MAX_OUT) stdout += d.toString('utf8'); });
    child.stderr.on('data', (d) => { if (stderr.length < MAX_OUT) stderr += d.toString('utf8'); });
    child.on('error', (e) => { clearTimeout(timer); children.delete(child); resolve({ code: null, stdout, stderr, timedOut, spawnError: e.code || e.message }); });
    child.on('close', (code) => { clearTimeout(timer); children.delete(child); resolve({ code, stdout, stderr, timedOut }); });
    child.stdin.on('error', () => {});
    child.stdin.end(input || '');
  });
}

const toolEnv = (ccache, krb5Config) => ({ PATH: process.env.PATH, LANG: 'C', LC_ALL: 'C', KRB5CCNAME: 'FILE:' + ccache, ...(krb5Config ? { KRB5_CONFIG: krb5Config } : {}) });
const bin = (msg, name) => (msg.binDir ? path.join(msg.binDir, name) : name);
const removeLater = (p, ms) => setTimeout(() => fsp.rm(p, { recursive: true, force: true }).catch(() => {}), ms).unref();

// The end time of the cache's TGT in local milliseconds (MIT FILE ccache v3/v4; KDC time offset from the header), or undefined.
function tgtEndOf(buf) {
  let o = 0;
  const need = (n) => { if (o + n > buf.length) throw new Error('short ccache'); };
  const u16 = () => { need(2); const v = buf.readUInt16BE(o); o += 2; return v; };
  const u32 = () => { need(4); const v = buf.readUInt32BE(o); o += 4; return v; };
  const data = () => { const n = u32(); need(n); const s = buf.subarray(o, o + n); o += n; return s; };
  const version = u16();
  if (version !== 0x0503 && version !== 0x0504) return undefined;
  let offsetMs = 0;
  if (version === 0x0504) {
    const end = o + u16();
    while (o < end) {
      const tag = u16();
      const len = u16();
      need(len);
      if (tag === 1 && len === 8) offsetMs = buf.readInt32BE(o) * 1000 + Math.round(buf.readInt32BE(o + 4) / 1000);
      o += len;
    }
  }
  const principal = () => { u32(); const n = u32(); const realm = data().toString('utf8'); const parts = []; for (let i = 0; i < n; i++) parts.push(data().toString('utf8')); return { realm, parts }; };
  principal();
  while (o < buf.length) {
    principal();
    const server = principal();
    u16();
    if (version === 0x0503) u16();
    data();
    u32(); u32();
    const endtime = u32();
    u32();
    need(1); o += 1;
    u32();
    for (let n = u32(); n > 0; n--) { u16(); data(); }
    for (let n = u32(); n > 0; n--) { u16(); data(); }
    data(); data();
    if (server.parts.length === 2 && server.parts[0] === 'krbtgt' && server.parts[1] === server.realm) return endtime * 1000 - offsetMs;
  }
  return undefined;
}

const tgts = new Map();
const acquiring = new Map();
const keyOf = (id) => JSON.stringify([id.principal, id.keytab || '', id.password || '', id.krb5Config || '']);
const usable = (t, policy, now) => t.endMs !== undefined && now - t.obtainedAt < policy.maxAgeMs && t.endMs - now > policy.marginMs;

async function kinit(msg, key) {
  const id = msg.identity;
  const file = path.join(DIR, 'tgt-' + ++seq);
  const args = id.keytab ? ['-k', '-t', id.keytab, '--', id.principal] : ['--', id.principal];
  const r = await run(bin(msg, 'kinit'), args, toolEnv(file, id.krb5Config), id.keytab ? '' : id.password + '\n', msg.timeoutMs);
  if (r.spawnError || r.timedOut || r.code !== 0) {
    fsp.rm(file, { force: true }).catch(() => {});
    return { kinit: { code: r.code, stderr: r.stderr.slice(-2000), timedOut: r.timedOut, spawnError: r.spawnError } };
  }
  let endMs;
  try { endMs = tgtEndOf(fs.readFileSync(file)); } catch (e) { endMs = undefined; }
  const old = tgts.get(key);
  if (old) { tgts.delete(key); removeLater(old.file, 60000); }
  // A cache whose end time cannot be read serves the probes waiting now, never a later one.
  if (endMs === undefined) removeLater(file, 60000);
  else tgts.set(key, { file, obtainedAt: Date.now(), endMs });
  return { file };
}

async function tgtFor(msg) {
  const key = keyOf(msg.identity);
  const t = tgts.get(key);
  if (t && usable(t, msg.policy, Date.now())) return { key, file: t.file, tgt: 'reused' };
  let p = acquiring.get(key);
  if (!p) {
    p = kinit(msg, key).finally(() => acquiring.delete(key));
    acquiring.set(key, p);
  }
  const r = await p;
  return r.kinit ? r : { key, file: r.file, tgt: 'new' };
}

function drop(key, file) {
  const t = tgts.get(key);
  if (t && t.file === file) { tgts.delete(key); removeLater(file, 60000); }
}

async function probeCache(file) {
  const dir = path.join(DIR, 'p-' + ++seq);
  await fsp.mkdir(dir, { mode: 0o700 });
  const cc = path.join(dir, 'ccache');
  await fsp.copyFile(file, cc);
  return { dir, cc };
}

// The KDC's answers about one SPN; anything else (expired or refused TGT, no KDC, a tool failing) drops the TGT.
const SPN_ANSWER = /not found in Kerberos database|S_PRINCIPAL_UNKNOWN|encryption type|ETYPE/i;
const kvnoTrouble = (r) => r.spawnError || r.timedOut || r.stderr.split('\n').some((l) => l.trim() && !SPN_ANSWER.test(l));

async function kdc(msg) {
  const started = Date.now();
  const t = await tgtFor(msg);
  if (t.kinit) return { kinit: t.kinit };
  const pc = await probeCache(t.file);
  try {
    const r = await run(bin(msg, 'kvno'), ['--', ...msg.spns], toolEnv(pc.cc, msg.identity.krb5Config), '', msg.timeoutMs - (Date.now() - started));
    if (kvnoTrouble(r)) drop(t.key, t.file);
    return { tgt: t.tgt, kvno: r };
  } finally {
    fsp.rm(pc.dir, { recursive: true, force: true }).catch(() => {});
  }
}

const addons = new Map();
function addon(module) {
  if (!addons.has(module)) addons.set(module, require(module));
  return addons.get(module);
}

let locked = false;
const queue = [];
function lock(ms) {
  return new Promise((resolve, reject) => {
    let timer;
    const grant = () => { clearTimeout(timer); locked = true; resolve(); };
    if (!locked) return grant();
    timer = setTimeout(() => { const i = queue.indexOf(grant); if (i >= 0) queue.splice(i, 1); reject(Object.assign(new Error('waited ' + ms + ' ms for the GSSAPI step of other probes'), { code: 'PROBE_TIMEOUT' })); }, Math.max(1, ms));
    queue.push(grant);
  });
}
function unlock() {
  locked = false;
  const next = queue.shift();
  if (next) next();
}

const contexts = new Map();
function end(ctx) {
  const c = contexts.get(ctx);
  if (!c) return;
  contexts.delete(ctx);
  fsp.rm(c.dir, { recursive: true, force: true }).catch(() => {});
}

// Runs a GSSAPI step with the probe's cache and krb5 configuration in this process's environment, one at a time.
async function withProbeEnv(c, timeoutMs, step) {
  await lock(timeoutMs);
  const hung = setTimeout(() => process.exit(3), Math.max(1000, 2 * timeoutMs));
  process.env.KRB5CCNAME = 'FILE:' + c.cc;
  process.env.KRB5_CONFIG = OWN_CONF + ':' + c.krb5Config;
  try {
    return await step();
  } finally {
    delete process.env.KRB5CCNAME;
    delete process.env.KRB5_CONFIG;
    clearTimeout(hung);
    unlock();
  }
}

async function init(msg) {
  const started = Date.now();
  let k;
  try {
    k = addon(msg.module);
  } catch (e) {
    return { error: String((e && e.message) || e).split('\n')[0], stage: 'load' };
  }
  const t = await tgtFor(msg);
  if (t.kinit) return { kinit: t.kinit };
  const pc = await probeCache(t.file);
  const c = { dir: pc.dir, cc: pc.cc, krb5Config: msg.krb5Config, at: Date.now() };
  contexts.set(msg.id, c);
  try {
    const token = await withProbeEnv(c, msg.timeoutMs - (Date.now() - started), async () => {
      c.client = await k.initializeClient(msg.service, { mechOID: k.GSS_MECH_OID_SPNEGO, gssFlag: k.GSS_C_MUTUAL_FLAG | k.GSS_C_SEQUENCE_FLAG });
      return c.client.step('');
    });
    return { tgt: t.tgt, token };
  } catch (e) {
    const error = String((e && e.message) || e);
    if (e.code === 'PROBE_TIMEOUT') return end(msg.id), { error, code: e.code, stage: 'init', tgt: t.tgt };
    if (!SPN_ANSWER.test(error)) drop(t.key, t.file);
    end(msg.id);
    return { error, stage: 'init', tgt: t.tgt };
  }
}

async function finish(msg) {
  const c = contexts.get(msg.ctx);
  if (!c || !c.client) return { error: 'the security context of this probe is gone (the Kerberos helper was restarted)', stage: 'context' };
  try {
    await withProbeEnv(c, msg.timeoutMs, () => c.client.step(msg.token));
  } catch (e) {
    if (e.code === 'PROBE_TIMEOUT') return { error: e.message, code: e.code, stage: 'lock' };
    throw e;
  }
  return { complete: Boolean(c.client.contextComplete) };
}

// Contexts the bot never ended (it gave up on the probe) go after two minutes.
setInterval(() => { for (const [ctx, c] of contexts) if (Date.now() - c.at > 120000) end(ctx); }, 30000).unref();

const ops = {
  kdc,
  init,
  finish,
  status: async () => ({ pid: process.pid, tgts: [...tgts.values()], contexts: contexts.size }),
};

let buf = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buf += chunk;
  let i;
  while ((i = buf.indexOf('\n')) >= 0) {
    const line = buf.slice(0, i);
    buf = buf.slice(i + 1);
    let msg;
    try {
      msg = JSON.parse(line);
    } catch (e) {
      send({ error: 'bad request line', stage: 'protocol' });
      process.exit(2);
    }
    if (msg.op === 'end') { end(msg.ctx); continue; }
    const op = ops[msg.op];
    if (!op) { send({ id: msg.id, error: 'unknown operation', stage: 'protocol' }); continue; }
    op(msg).then(
      (r) => send({ id: msg.id, ...r }),
      (e) => send({ id: msg.id, error: String((e && e.message) || e), stage: msg.op }),
    );
  }
});
const quit = () => { for (const c of children) c.kill('SIGKILL'); process.exit(0); };
process.stdin.on('end', quit);
process.on('SIGTERM', quit);
`;
