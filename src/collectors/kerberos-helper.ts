/**
 * The bot's side of the Kerberos helper (src/collectors/kerberos-helper-source.ts): one small Node
 * process that runs kinit, kvno and the GSSAPI steps of every why-401, so the bot — a large process
 * whose fork() blocks its event loop for milliseconds each time — spawns once, not four times per
 * request. `krbops serve` keeps one for its lifetime (closed on shutdown); a caller without one gets
 * a helper for that call only (the CLI runs one why-401).
 *
 * Started on first use, restarted on the next use after it died. Every request is bounded by its
 * caller's time (KRBOPS_PROBE_TIMEOUT_MS); a request the helper still has not answered `graceMs`
 * after that ends the helper (and its kinit/kvno children: it leads its own process group), so a
 * wedged helper never holds later probes. When the helper ends, every request in flight answers at
 * once with a KERBEROS_HELPER error. Its private directory (TGT and per-probe caches) is removed when
 * it ends.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { Config } from '../config.js';
import { ErrorCode, ProbeError } from '../errors.js';
import { KERBEROS_HELPER_SOURCE } from './kerberos-helper-source.js';

export interface KerberosHelperOptions {
  /** A TGT with less than this left before it expires is not reused; default 300 000 ms (5 minutes). */
  renewMarginMs?: number;
  /** A TGT older than this is not reused, so a disabled or changed probe identity shows soon; default 600 000 ms (10 minutes). */
  maxTgtAgeMs?: number;
  /** How long after a request's own deadline the helper may still answer before it is ended; default 2000 ms. */
  graceMs?: number;
}

/** A tool run by the helper, as it ran. */
export interface ToolRun {
  code: number | null;
  stdout?: string;
  stderr: string;
  timedOut: boolean;
  spawnError?: string;
}

/** What the helper answers; `tgt` says whether the probe identity's TGT was obtained for this request or reused. */
export interface HelperReply {
  tgt?: 'new' | 'reused';
  kinit?: ToolRun;
  kvno?: ToolRun;
  token?: string;
  complete?: boolean;
  error?: string;
  code?: string;
  stage?: string;
}

export interface HelperStatus {
  pid: number;
  tgts: { file: string; obtainedAt: number; endMs: number }[];
  contexts: number;
}

type Identity = NonNullable<Config['kerberos']>;
type Child = ChildProcessByStdio<Writable, Readable, null>;
interface Pending {
  resolve(r: HelperReply): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

/** The helper ended (killed, crashed, could not start) while answering. */
export class KerberosHelperError extends ProbeError {
  constructor(message: string) {
    super(ErrorCode.KerberosHelper, message);
  }
}

const identityOf = (k: Identity, krb5Config: string | undefined) => ({
  principal: k.principal,
  ...(k.keytab ? { keytab: k.keytab } : { password: k.password }),
  ...(krb5Config ? { krb5Config } : {}),
});

export class KerberosHelper {
  private child: Child | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly overdue = new Map<number, NodeJS.Timeout>();
  private closed = false;
  private readonly policy: { marginMs: number; maxAgeMs: number };
  private readonly graceMs: number;

  constructor(options: KerberosHelperOptions = {}) {
    this.policy = { marginMs: options.renewMarginMs ?? 300_000, maxAgeMs: options.maxTgtAgeMs ?? 600_000 };
    this.graceMs = options.graceMs ?? 2000;
  }

  /** The running helper's process id (undefined before the first request and after it ended). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** kinit (or the reused TGT) then `kvno -- <spns>` on a fresh copy of the TGT cache. */
  kdc(spns: string[], kerberos: Identity, timeoutMs: number, binDir?: string): Promise<HelperReply> {
    const krb5Config = kerberos.krb5Config ?? process.env.KRB5_CONFIG;
    return this.request({ op: 'kdc', identity: identityOf(kerberos, krb5Config), spns, timeoutMs, policy: this.policy, ...(binDir ? { binDir } : {}) }, timeoutMs);
  }

  /**
   * The first GSSAPI step for `service` (`HTTP@host`) with the addon at `module`: a ticket from the
   * KDC, on a fresh copy of the TGT cache, with the browser-like krb5 settings before `krb5Config`.
   * The answer's id is the security context's, for `finish` and `end`.
   */
  async init(service: string, module: string, kerberos: Identity, timeoutMs: number, binDir?: string): Promise<HelperReply & { ctx: number }> {
    const krb5Config = kerberos.krb5Config ?? process.env.KRB5_CONFIG ?? '/etc/krb5.conf';
    const sent = this.send({ op: 'init', identity: identityOf(kerberos, kerberos.krb5Config ?? process.env.KRB5_CONFIG), service, module, krb5Config, timeoutMs, policy: this.policy, ...(binDir ? { binDir } : {}) }, timeoutMs);
    return { ...(await sent.reply), ctx: sent.id };
  }

  /** The server's token into the context of `init` (mutual authentication). */
  finish(ctx: number, token: string, timeoutMs: number): Promise<HelperReply> {
    return this.request({ op: 'finish', ctx, token, timeoutMs }, timeoutMs);
  }

  /** Drops a security context and its ticket cache. */
  end(ctx: number): void {
    if (this.child && this.child.exitCode === null) this.child.stdin.write(`${JSON.stringify({ op: 'end', ctx })}\n`);
  }

  /** The helper's TGTs (no secrets) and open contexts; starts it if needed. */
  status(timeoutMs = 5000): Promise<HelperStatus> {
    return this.request({ op: 'status' }, timeoutMs) as Promise<HelperStatus & HelperReply>;
  }

  /** Ends the helper (and its children) and removes its directory. Later requests are refused. */
  async close(): Promise<void> {
    this.closed = true;
    const child = this.child;
    if (!child) return;
    const ended = new Promise<void>((r) => child.once('close', () => r()));
    child.stdin.end();
    const timer = setTimeout(() => this.kill(child), 1000);
    await ended;
    clearTimeout(timer);
  }

  private request(msg: Record<string, unknown>, timeoutMs: number): Promise<HelperReply> {
    return this.send(msg, timeoutMs).reply;
  }

  /** Sends one request; `id` names it (and, for `init`, the security context it opens). */
  private send(msg: Record<string, unknown>, timeoutMs: number): { id: number; reply: Promise<HelperReply> } {
    const refused = (e: Error) => ({ id: -1, reply: Promise.reject(e) });
    if (this.closed) return refused(new KerberosHelperError('the Kerberos helper is closed (krbops is shutting down)'));
    let child: Child;
    try {
      child = this.start();
    } catch (e) {
      return refused(new KerberosHelperError(`the Kerberos helper process could not start: ${(e as Error).message}`));
    }
    const id = this.nextId++;
    const reply = new Promise<HelperReply>((resolve, reject) => {
      // The event loop runs due timers before it reads pipes: after a busy stretch an answer may be
      // waiting unread when the timer fires, so the verdict waits for this turn's I/O (setImmediate).
      const timer = setTimeout(
        () =>
          setImmediate(() => {
            if (!this.pending.has(id)) return;
            this.pending.delete(id);
            reject(new ProbeError(ErrorCode.ProbeTimeout, `the Kerberos helper did not answer within ${timeoutMs} ms`));
            // Not answered soon after: the helper is wedged; end it so later probes get a fresh one.
            this.overdue.set(id, setTimeout(() => this.child === child && this.kill(child), this.graceMs));
          }),
        Math.max(1, timeoutMs),
      );
      this.pending.set(id, { resolve, reject, timer });
      child.stdin.write(`${JSON.stringify({ ...msg, id })}\n`);
    });
    return { id, reply };
  }

  private start(): Child {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) return this.child;
    const dir = mkdtempSync(path.join(tmpdir(), 'krbops-krb-'));
    // A constant script, the request on stdin; its own process group so ending it ends its kinit/kvno too.
    const child: Child = spawn(process.execPath, ['-e', KERBEROS_HELPER_SOURCE], {
      env: { PATH: process.env.PATH, LANG: 'C', LC_ALL: 'C', KRBOPS_HELPER_DIR: dir },
      stdio: ['pipe', 'pipe', 'ignore'],
      detached: true,
    });
    this.child = child;
    // It never keeps krbops alive: a request in flight has its own timer.
    child.unref();
    (child.stdout as Readable & { unref?: () => void }).unref?.();
    (child.stdin as Writable & { unref?: () => void }).unref?.();
    child.stdin.on('error', () => {});
    let buf = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buf += chunk;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        this.answer(line);
      }
    });
    child.on('error', () => undefined);
    child.on('close', (code, signal) => {
      if (this.child === child) this.child = undefined;
      rmSync(dir, { recursive: true, force: true });
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer);
        this.pending.delete(id);
        p.reject(new KerberosHelperError(`the Kerberos helper process ended (${signal ?? `exit ${code}`}) before answering; the next probe starts a new one`));
      }
      for (const t of this.overdue.values()) clearTimeout(t);
      this.overdue.clear();
    });
    return child;
  }

  private answer(line: string): void {
    let reply: HelperReply & { id?: number };
    try {
      reply = JSON.parse(line) as HelperReply & { id?: number };
    } catch {
      return;
    }
    const id = reply.id ?? -1;
    const late = this.overdue.get(id);
    if (late) {
      clearTimeout(late);
      this.overdue.delete(id);
    }
    const p = this.pending.get(id);
    if (!p) {
      // An init answered after its caller gave up: nobody will finish that context.
      if (reply.token) this.end(id);
      return;
    }
    clearTimeout(p.timer);
    this.pending.delete(id);
    const { id: _id, ...rest } = reply;
    p.resolve(rest);
  }

  private kill(child: Child): void {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  }
}
