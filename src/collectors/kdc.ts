/**
 * KDC collector (optional): asks the KDC for a service ticket for each SPN, as `kvno` does, and
 * records its answer. "Server not found in Kerberos database" is the definitive proof of a missing
 * (or, in AD, duplicated) SPN. Runs MIT `kinit` + `kvno` with a credential cache private to this
 * call (a temporary directory removed afterwards); the password, if used, goes through stdin only.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Config } from '../config.js';
import type { KdcAnswer, KdcEvidence } from '../model/index.js';

export interface KdcOptions {
  /** Bound for kinit + kvno together, default 4000 ms. */
  timeoutMs?: number;
  /** Directory of the kinit/kvno binaries (default: PATH). */
  binDir?: string;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  spawnError?: string;
}

export function runTool(cmd: string, args: string[], env: NodeJS.ProcessEnv, input: string | undefined, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, Math.max(50, timeoutMs));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr, timedOut, spawnError: (e as NodeJS.ErrnoException).code ?? e.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

const stripRealm = (p: string) => p.replace(/@[^@/]*$/, '');

/** Parses `kvno` output: `HTTP/x@REALM: kvno = 3` on stdout, `kvno: <error> while getting credentials for HTTP/x@REALM` on stderr. */
export function parseKvnoOutput(spns: string[], stdout: string, stderr: string): KdcAnswer[] {
  const answers = new Map<string, KdcAnswer>();
  for (const line of stdout.split('\n')) {
    const [, principal, kvno] = /^(\S+?): kvno = (\d+)/.exec(line.trim()) ?? [];
    if (principal !== undefined) answers.set(stripRealm(principal).toLowerCase(), { spn: stripRealm(principal), outcome: 'ticket', kvno: Number(kvno) });
  }
  for (const line of stderr.split('\n')) {
    const [, message, principal] = /^kvno: (.+?) while getting credentials for (\S+)/.exec(line.trim()) ?? [];
    if (message === undefined || principal === undefined) continue;
    const outcome: KdcAnswer['outcome'] = /not found in Kerberos database|S_PRINCIPAL_UNKNOWN/i.test(message)
      ? 'not-found'
      : /encryption type|ETYPE/i.test(message)
        ? 'etype'
        : 'error';
    answers.set(stripRealm(principal).toLowerCase(), { spn: stripRealm(principal), outcome, message });
  }
  return spns.map((spn) => {
    const a = answers.get(spn.toLowerCase());
    return a ? { ...a, spn } : { spn, outcome: 'error' as const, message: 'no answer from kvno for this SPN' };
  });
}

/**
 * Gets a TGT for the probe identity into a credential cache in `dir` (the caller's private
 * temporary directory, removed by the caller). The password goes through stdin only.
 * Returns the environment for Kerberos tools using that cache, or the error.
 */
export async function kinitInto(
  dir: string,
  kerberos: NonNullable<Config['kerberos']>,
  timeoutMs: number,
  binDir?: string,
  krb5Config: string | undefined = kerberos.krb5Config ?? process.env.KRB5_CONFIG,
): Promise<{ env: NodeJS.ProcessEnv } | { error: { code: string; message: string } }> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    LANG: 'C',
    LC_ALL: 'C',
    KRB5CCNAME: `FILE:${path.join(dir, 'ccache')}`,
    ...(krb5Config ? { KRB5_CONFIG: krb5Config } : {}),
  };
  // `--` ends the options of every tool call: no value can ever be read as an option (issue 11).
  const kinitArgs = kerberos.keytab ? ['-k', '-t', kerberos.keytab, '--', kerberos.principal] : ['--', kerberos.principal];
  const kinit = await runTool(binDir ? path.join(binDir, 'kinit') : 'kinit', kinitArgs, env, kerberos.keytab ? undefined : `${kerberos.password}\n`, timeoutMs);
  if (kinit.spawnError || kinit.timedOut || kinit.code !== 0) {
    const why = kinit.spawnError ? `kinit could not run (${kinit.spawnError}; install krb5-user)` : kinit.timedOut ? `kinit did not finish within ${timeoutMs} ms` : (kinit.stderr.trim().split('\n').pop() ?? `kinit exited with ${kinit.code}`);
    return { error: { code: kinit.timedOut ? 'PROBE_TIMEOUT' : 'KDC_AUTH_FAILED', message: `Getting a TGT for ${kerberos.principal} failed: ${why.replace(/Password for \S+:\s*/, '')}` } };
  }
  return { env };
}

/** Asks the KDC about each SPN. Never throws; without config.kerberos the caller skips it. */
export async function collectKdc(spns: string[], kerberos: NonNullable<Config['kerberos']>, options: KdcOptions = {}): Promise<KdcEvidence> {
  const timeoutMs = options.timeoutMs ?? 4000;
  const started = Date.now();
  const bin = (name: string) => (options.binDir ? path.join(options.binDir, name) : name);
  const ev: KdcEvidence = { ok: false, principal: kerberos.principal, answers: [] };
  if (!kerberos.keytab && !kerberos.password) {
    ev.error = { collector: 'kdc', code: 'CONFIG_INVALID', message: 'KRBOPS_KERBEROS_PRINCIPAL is set but neither KRB5_KEYTAB nor KRBOPS_KERBEROS_PASSWORD is' };
    return ev;
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'krbops-kdc-'));
  try {
    const tgt = await kinitInto(dir, kerberos, timeoutMs, options.binDir);
    if ('error' in tgt) {
      ev.error = { collector: 'kdc', ...tgt.error };
      return ev;
    }
    const env = tgt.env;
    const left = timeoutMs - (Date.now() - started);
    const kvno = await runTool(bin('kvno'), ['--', ...spns], env, undefined, left);
    if (kvno.spawnError || kvno.timedOut) {
      ev.error = { collector: 'kdc', code: kvno.timedOut ? 'PROBE_TIMEOUT' : 'KDC_TOOL_MISSING', message: kvno.timedOut ? `kvno did not finish within ${timeoutMs} ms` : `kvno could not run (${kvno.spawnError})` };
      ev.answers = parseKvnoOutput(spns, kvno.stdout, kvno.stderr).filter((a) => a.message !== 'no answer from kvno for this SPN');
      return ev;
    }
    ev.answers = parseKvnoOutput(spns, kvno.stdout, kvno.stderr);
    ev.ok = true;
    return ev;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
