/**
 * KDC collector (optional): asks the KDC for a service ticket for each SPN, as `kvno` does, and
 * records its answer. "Server not found in Kerberos database" is the definitive proof of a missing
 * (or, in AD, duplicated) SPN. MIT `kinit` + `kvno` run in the Kerberos helper process
 * (src/collectors/kerberos-helper.ts), never forked from the bot: the probe identity's TGT is reused
 * by its policy, each call asks the KDC afresh on its own copy of the TGT-only cache; the password,
 * if used, goes through stdin only.
 */
import type { Config } from '../config.js';
import { isKrbopsError } from '../errors.js';
import type { KdcAnswer, KdcEvidence } from '../model/index.js';
import { KerberosHelper, type ToolRun } from './kerberos-helper.js';

export interface KdcOptions {
  /** Bound for kinit + kvno together, default 4000 ms. */
  timeoutMs?: number;
  /** Directory of the kinit/kvno binaries (default: PATH). */
  binDir?: string;
  /** The process's Kerberos helper (`krbops serve` keeps one); default: one for this call, ended after it. */
  helper?: KerberosHelper;
}

/** The collector error for a failed kinit (run by the helper). */
export function kinitFailure(kerberos: NonNullable<Config['kerberos']>, kinit: ToolRun, timeoutMs: number): { code: string; message: string } {
  const why = kinit.spawnError ? `kinit could not run (${kinit.spawnError}; install krb5-user)` : kinit.timedOut ? `kinit did not finish within ${timeoutMs} ms` : (kinit.stderr.trim().split('\n').pop() ?? `kinit exited with ${kinit.code}`);
  return { code: kinit.timedOut ? 'PROBE_TIMEOUT' : 'KDC_AUTH_FAILED', message: `Getting a TGT for ${kerberos.principal} failed: ${why.replace(/Password for \S+:\s*/, '')}` };
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

/** Asks the KDC about each SPN. Never throws; without config.kerberos the caller skips it. */
export async function collectKdc(spns: string[], kerberos: NonNullable<Config['kerberos']>, options: KdcOptions = {}): Promise<KdcEvidence> {
  const timeoutMs = options.timeoutMs ?? 4000;
  const ev: KdcEvidence = { ok: false, principal: kerberos.principal, answers: [] };
  if (!kerberos.keytab && !kerberos.password) {
    ev.error = { collector: 'kdc', code: 'CONFIG_INVALID', message: 'KRBOPS_KERBEROS_PRINCIPAL is set but neither KRB5_KEYTAB nor KRBOPS_KERBEROS_PASSWORD is' };
    return ev;
  }
  const helper = options.helper ?? new KerberosHelper();
  try {
    const r = await helper.kdc(spns, kerberos, timeoutMs, options.binDir);
    if (r.kinit) {
      ev.error = { collector: 'kdc', ...kinitFailure(kerberos, r.kinit, timeoutMs) };
      return ev;
    }
    if (!r.kvno) {
      ev.error = { collector: 'kdc', code: 'KERBEROS_HELPER', message: `The Kerberos helper could not ask the KDC: ${r.error ?? 'no answer'}` };
      return ev;
    }
    const kvno = r.kvno;
    if (kvno.spawnError || kvno.timedOut) {
      ev.error = { collector: 'kdc', code: kvno.timedOut ? 'PROBE_TIMEOUT' : 'KDC_TOOL_MISSING', message: kvno.timedOut ? `kvno did not finish within ${timeoutMs} ms` : `kvno could not run (${kvno.spawnError})` };
      ev.answers = parseKvnoOutput(spns, kvno.stdout ?? '', kvno.stderr).filter((a) => a.message !== 'no answer from kvno for this SPN');
      return ev;
    }
    ev.answers = parseKvnoOutput(spns, kvno.stdout ?? '', kvno.stderr);
    ev.ok = true;
    return ev;
  } catch (e) {
    ev.error = { collector: 'kdc', code: isKrbopsError(e) ? e.code : 'ERROR', message: `Asking the KDC: ${(e as Error).message}` };
    return ev;
  } finally {
    if (!options.helper) await helper.close();
  }
}
