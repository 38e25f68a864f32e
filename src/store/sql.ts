/**
 * The store written once in portable SQL over a tiny driver interface. Both dialects accept the
 * same statements here (`INSERT … ON CONFLICT`, `RETURNING`); the few differences are flags on the
 * driver. Parameters are always bound (`?`), never spliced into the text.
 */
import type { Actor, ApprovalRecord, ApprovalStatus, AuditEvent, SpnChange } from '../model/index.js';
import { StoreError } from '../errors.js';
import { appendCommandAudit, listCommandAudit } from './command-audit-sql.js';
import { MIGRATIONS } from './migrations.js';
import type { ClaimOptions, ClaimResult, CommandAuditEntry, ConversationRecord, JobRun, PostedAlert, RunOutcome, SpnOwner, Store, StoreKind, StoreOps } from './types.js';

export type SqlValue = string | number | boolean | null;

export interface SqlResult {
  rows: Record<string, unknown>[];
  changes: number;
}

export interface SqlExecutor {
  query(sql: string, params?: SqlValue[]): Promise<SqlResult>;
}

export interface SqlDriver extends SqlExecutor {
  readonly kind: StoreKind;
  readonly location: string;
  transaction<T>(fn: (ex: SqlExecutor) => Promise<T>): Promise<T>;
  /** Serialises migrations between processes starting at once (PostgreSQL: an advisory lock). */
  lockForMigration(ex: SqlExecutor): Promise<void>;
  close(): Promise<void>;
}

/** Rows per multi-row INSERT (well under SQLite's and PostgreSQL's bound-parameter limits). */
const BATCH = 200;
/** Job runs older than this are pruned when a run of the same job finishes. */
const RUN_RETENTION_MS = 30 * 24 * 3600_000;

const json = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));
const parse = <T>(v: unknown): T | undefined => (v === null || v === undefined ? undefined : (JSON.parse(String(v)) as T));
const str = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));
const iso = (d: Date = new Date()) => d.toISOString();

/** The part of an SPN after its service class, lower case: `HTTP/crm.contoso.test` → `crm.contoso.test`. */
export function spnInstance(spn: string): string {
  const i = spn.indexOf('/');
  return (i < 0 ? spn : spn.slice(i + 1)).toLowerCase();
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

class Busy extends Error {}

/** The operations, bound to one executor (the pool, or a transaction's connection). */
export class SqlOps implements StoreOps {
  constructor(
    protected readonly ex: SqlExecutor,
    protected readonly kind: StoreKind,
  ) {}

  protected async q(sql: string, params: SqlValue[] = []): Promise<SqlResult> {
    try {
      return await this.ex.query(sql, params);
    } catch (e) {
      if (e instanceof Busy || e instanceof StoreError) throw e;
      throw new StoreError(`The ${this.kind} store failed: ${(e as Error).message}`, e);
    }
  }

  private bool(v: boolean | undefined): SqlValue {
    if (v === undefined) return null;
    return this.kind === 'sqlite' ? (v ? 1 : 0) : v;
  }

  // ── key/value ──
  async getState<T = unknown>(key: string): Promise<T | undefined> {
    const { rows } = await this.q(`SELECT value FROM kv WHERE key = ?`, [key]);
    return rows.length ? parse<T>(rows[0].value) : undefined;
  }

  async setState(key: string, value: unknown): Promise<void> {
    await this.q(
      `INSERT INTO kv (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      [key, json(value ?? null), iso()],
    );
  }

  async deleteState(key: string): Promise<void> {
    await this.q(`DELETE FROM kv WHERE key = ?`, [key]);
  }

  // ── alerts ──
  async markPosted(key: string, meta: { target?: string; job?: string; title?: string } = {}): Promise<boolean> {
    const { rows } = await this.q(
      `INSERT INTO posted_alerts (alert_key, target, job, title, posted_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (alert_key, target) DO NOTHING RETURNING alert_key`,
      [key, meta.target ?? 'default', meta.job ?? null, meta.title ?? null, iso()],
    );
    return rows.length === 1;
  }

  async unmarkPosted(key: string, target = 'default'): Promise<void> {
    await this.q(`DELETE FROM posted_alerts WHERE alert_key = ? AND target = ?`, [key, target]);
  }

  async isPosted(key: string, target = 'default'): Promise<boolean> {
    const { rows } = await this.q(`SELECT 1 AS x FROM posted_alerts WHERE alert_key = ? AND target = ?`, [key, target]);
    return rows.length > 0;
  }

  async listPosted(options: { job?: string; limit?: number } = {}): Promise<PostedAlert[]> {
    const { rows } = await this.q(
      `SELECT alert_key, target, job, title, posted_at FROM posted_alerts ${options.job ? 'WHERE job = ?' : ''} ORDER BY posted_at DESC, alert_key LIMIT ?`,
      [...(options.job ? [options.job] : []), options.limit ?? 1000],
    );
    return rows.map((r) => ({ key: String(r.alert_key), target: String(r.target), job: str(r.job), title: str(r.title), postedAt: String(r.posted_at) }));
  }

  // ── runs and leases ──
  async claimRun(o: ClaimOptions): Promise<ClaimResult> {
    throw new StoreError(`claimRun needs a transaction-capable store (${o.job})`);
  }

  /** The claim itself, run inside a transaction by SqlStore.claimRun. */
  async claimInTransaction(o: ClaimOptions): Promise<ClaimResult> {
    const now = o.now ?? new Date();
    const nowIso = iso(now);
    const ins = await this.q(
      `INSERT INTO job_runs (job, tick, holder, started_at, outcome) VALUES (?, ?, ?, ?, 'running') ON CONFLICT (job, tick) DO NOTHING RETURNING id`,
      [o.job, iso(o.tick), o.holder, nowIso],
    );
    if (!ins.rows.length) return { claimed: false, reason: 'taken' };
    const runId = Number(ins.rows[0].id);
    const lock = this.kind === 'postgres' ? ' FOR UPDATE' : '';
    const { rows: old } = await this.q(`SELECT holder, run_id, expires_at FROM job_leases WHERE job = ?${lock}`, [o.job]);
    const up = await this.q(
      `INSERT INTO job_leases (job, holder, run_id, expires_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (job) DO UPDATE SET holder = excluded.holder, run_id = excluded.run_id, expires_at = excluded.expires_at
       WHERE job_leases.holder IS NULL OR job_leases.expires_at <= ?`,
      [o.job, o.holder, runId, iso(new Date(now.getTime() + o.leaseMs)), nowIso],
    );
    if (up.changes !== 1) throw new Busy();
    let abandoned = 0;
    const prev = old[0];
    if (prev && prev.holder !== null && prev.run_id !== null) {
      const r = await this.q(
        `UPDATE job_runs SET outcome = 'abandoned', finished_at = ?, error = ? WHERE id = ? AND outcome = 'running'`,
        [nowIso, `lease of ${String(prev.holder)} expired at ${String(prev.expires_at)}: the replica stopped during the run`, Number(prev.run_id)],
      );
      abandoned = r.changes;
    }
    return { claimed: true, runId, abandoned };
  }

  async renewLease(job: string, holder: string, leaseMs: number, now: Date = new Date()): Promise<boolean> {
    const r = await this.q(`UPDATE job_leases SET expires_at = ? WHERE job = ? AND holder = ?`, [iso(new Date(now.getTime() + leaseMs)), job, holder]);
    return r.changes === 1;
  }

  async finishRun(runId: number, result: { outcome: Exclude<RunOutcome, 'running'>; error?: string; summary?: unknown; holder: string; now?: Date }): Promise<void> {
    const now = result.now ?? new Date();
    const { rows } = await this.q(
      `UPDATE job_runs SET finished_at = ?, outcome = ?, error = ?, summary = ? WHERE id = ? RETURNING job`,
      [iso(now), result.outcome, result.error ?? null, json(result.summary), runId],
    );
    if (!rows.length) return;
    const job = String(rows[0].job);
    await this.q(`UPDATE job_leases SET holder = NULL, run_id = NULL, expires_at = ? WHERE job = ? AND holder = ?`, [iso(now), job, result.holder]);
    await this.q(`DELETE FROM job_runs WHERE job = ? AND finished_at IS NOT NULL AND finished_at < ?`, [job, iso(new Date(now.getTime() - RUN_RETENTION_MS))]);
  }

  async releaseLease(job: string, holder: string): Promise<void> {
    await this.q(`UPDATE job_leases SET holder = NULL, run_id = NULL, expires_at = ? WHERE job = ? AND holder = ?`, [iso(), job, holder]);
  }

  private run(r: Record<string, unknown>): JobRun {
    return {
      id: Number(r.id),
      job: String(r.job),
      tick: String(r.tick),
      holder: String(r.holder),
      startedAt: String(r.started_at),
      finishedAt: str(r.finished_at),
      outcome: String(r.outcome) as RunOutcome,
      error: str(r.error),
      summary: parse(r.summary),
    };
  }

  async lastRuns(): Promise<JobRun[]> {
    const { rows } = await this.q(`SELECT * FROM job_runs WHERE id IN (SELECT MAX(id) FROM job_runs GROUP BY job) ORDER BY job`);
    return rows.map((r) => this.run(r));
  }

  async listRuns(options: { job?: string; limit?: number } = {}): Promise<JobRun[]> {
    const { rows } = await this.q(
      `SELECT * FROM job_runs ${options.job ? 'WHERE job = ?' : ''} ORDER BY id DESC LIMIT ?`,
      [...(options.job ? [options.job] : []), options.limit ?? 100],
    );
    return rows.map((r) => this.run(r));
  }

  // ── conversations ──
  async saveConversation(record: { id: string; reference: unknown; name?: string }): Promise<void> {
    await this.q(
      `INSERT INTO conversations (id, reference, name, saved_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET reference = excluded.reference, name = excluded.name, saved_at = excluded.saved_at`,
      [record.id, json(record.reference ?? null), record.name ?? null, iso()],
    );
  }

  async listConversations(): Promise<ConversationRecord[]> {
    const { rows } = await this.q(`SELECT * FROM conversations ORDER BY saved_at, id`);
    return rows.map((r) => ({ id: String(r.id), reference: parse(r.reference), name: str(r.name), savedAt: String(r.saved_at) }));
  }

  async deleteConversation(id: string): Promise<void> {
    await this.q(`DELETE FROM conversations WHERE id = ?`, [id]);
  }

  // ── SPN owners ──
  async upsertSpnOwners(scope: string, owners: SpnOwner[]): Promise<void> {
    if (!owners.length) return;
    await this.deleteSpnOwners(scope, owners.map((o) => o.dn));
    await this.insertOwners(scope, owners);
  }

  private async insertOwners(scope: string, owners: SpnOwner[]): Promise<void> {
    // The last entry wins when a scan returns an account twice.
    const byDn = new Map(owners.map((o) => [o.dn, o]));
    const unique = [...byDn.values()].filter((o) => o.spns.length > 0);
    for (const batch of chunks(unique, BATCH)) {
      await this.q(
        `INSERT INTO spn_owners (scope, dn, sam, when_changed, disabled, spns) VALUES ${batch.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')}`,
        batch.flatMap((o) => [scope, o.dn, o.sAMAccountName, o.whenChanged ?? null, this.bool(o.disabled), JSON.stringify(o.spns)]),
      );
    }
    const keys = [...new Set(unique.flatMap((o) => o.spns.map((s) => `${spnInstance(s)}\u0000${o.dn}`)))].map((k) => k.split('\u0000'));
    for (const batch of chunks(keys, BATCH)) {
      await this.q(`INSERT INTO spn_keys (scope, instance, dn) VALUES ${batch.map(() => '(?, ?, ?)').join(', ')}`, batch.flatMap(([inst, dn]) => [scope, inst, dn]));
    }
  }

  async deleteSpnOwners(scope: string, dns: string[]): Promise<void> {
    for (const batch of chunks([...new Set(dns)], BATCH)) {
      const marks = batch.map(() => '?').join(', ');
      await this.q(`DELETE FROM spn_keys WHERE scope = ? AND dn IN (${marks})`, [scope, ...batch]);
      await this.q(`DELETE FROM spn_owners WHERE scope = ? AND dn IN (${marks})`, [scope, ...batch]);
    }
  }

  async replaceSpnOwners(scope: string, owners: SpnOwner[]): Promise<void> {
    await this.clearSpnOwners(scope);
    await this.insertOwners(scope, owners);
  }

  private owner(r: Record<string, unknown>): SpnOwner {
    return {
      dn: String(r.dn),
      sAMAccountName: String(r.sam),
      whenChanged: str(r.when_changed),
      disabled: r.disabled === null || r.disabled === undefined ? undefined : Boolean(r.disabled),
      spns: parse<string[]>(r.spns) ?? [],
    };
  }

  async loadSpnOwners(scope: string, options: { dns?: string[] } = {}): Promise<SpnOwner[]> {
    if (!options.dns) {
      const { rows } = await this.q(`SELECT * FROM spn_owners WHERE scope = ? ORDER BY dn`, [scope]);
      return rows.map((r) => this.owner(r));
    }
    const out: SpnOwner[] = [];
    for (const batch of chunks([...new Set(options.dns)], BATCH)) {
      const { rows } = await this.q(`SELECT * FROM spn_owners WHERE scope = ? AND dn IN (${batch.map(() => '?').join(', ')})`, [scope, ...batch]);
      out.push(...rows.map((r) => this.owner(r)));
    }
    return out.sort((a, b) => (a.dn < b.dn ? -1 : a.dn > b.dn ? 1 : 0));
  }

  async spnCollisionCandidates(scope: string): Promise<SpnOwner[]> {
    const { rows } = await this.q(
      `SELECT * FROM spn_owners WHERE scope = ? AND dn IN (
         SELECT k.dn FROM spn_keys k WHERE k.scope = ? AND k.instance IN (
           SELECT instance FROM spn_keys WHERE scope = ? GROUP BY instance HAVING COUNT(*) > 1))
       ORDER BY dn`,
      [scope, scope, scope],
    );
    return rows.map((r) => this.owner(r));
  }

  async spnOwnersSharing(scope: string, spns: string[]): Promise<SpnOwner[]> {
    const byDn = new Map<string, SpnOwner>();
    for (const batch of chunks([...new Set(spns.map(spnInstance))], BATCH)) {
      const { rows } = await this.q(
        `SELECT * FROM spn_owners WHERE scope = ? AND dn IN (SELECT dn FROM spn_keys WHERE scope = ? AND instance IN (${batch.map(() => '?').join(', ')}))`,
        [scope, scope, ...batch],
      );
      for (const r of rows) byDn.set(String(r.dn), this.owner(r));
    }
    return [...byDn.values()].sort((a, b) => (a.dn < b.dn ? -1 : a.dn > b.dn ? 1 : 0));
  }

  async moveSpnOwners(from: string, to: string): Promise<void> {
    await this.clearSpnOwners(to);
    await this.q(`UPDATE spn_keys SET scope = ? WHERE scope = ?`, [to, from]);
    await this.q(`UPDATE spn_owners SET scope = ? WHERE scope = ?`, [to, from]);
  }

  async clearSpnOwners(scope: string, options: { prefix?: boolean } = {}): Promise<void> {
    if (options.prefix) {
      // Prefix match without LIKE (a scope may contain % or _).
      for (const table of ['spn_keys', 'spn_owners']) {
        await this.q(`DELETE FROM ${table} WHERE substr(scope, 1, ?) = ?`, [scope.length, scope]);
      }
      return;
    }
    await this.q(`DELETE FROM spn_keys WHERE scope = ?`, [scope]);
    await this.q(`DELETE FROM spn_owners WHERE scope = ?`, [scope]);
  }

  async countSpnOwners(scope: string): Promise<number> {
    const { rows } = await this.q(`SELECT COUNT(*) AS n FROM spn_owners WHERE scope = ?`, [scope]);
    return Number(rows[0].n);
  }

  // ── approvals ──
  async insertApproval(a: ApprovalRecord): Promise<void> {
    await this.q(
      `INSERT INTO approvals (id, status, requester, changes, finding, note, created_at, updated_at, decided_by, decided_at, decision_reason, commands, verification)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [a.id, a.status, json(a.requester), json(a.changes), json(a.finding), a.note ?? null, a.createdAt, a.updatedAt, json(a.decidedBy), a.decidedAt ?? null, a.decisionReason ?? null, json(a.commands ?? []), json(a.verification)],
    );
  }

  private approval(r: Record<string, unknown>): ApprovalRecord {
    return {
      id: String(r.id),
      status: String(r.status) as ApprovalStatus,
      requester: parse<Actor>(r.requester)!,
      changes: parse<SpnChange[]>(r.changes) ?? [],
      finding: parse(r.finding),
      note: str(r.note),
      createdAt: String(r.created_at),
      updatedAt: String(r.updated_at),
      decidedBy: parse<Actor>(r.decided_by),
      decidedAt: str(r.decided_at),
      decisionReason: str(r.decision_reason),
      commands: parse<string[]>(r.commands) ?? [],
      verification: parse(r.verification),
    };
  }

  async getApproval(id: string): Promise<ApprovalRecord | undefined> {
    const { rows } = await this.q(`SELECT * FROM approvals WHERE id = ?`, [id]);
    return rows.length ? this.approval(rows[0]) : undefined;
  }

  async updateApproval(id: string, fromStatus: ApprovalStatus, patch: Partial<Omit<ApprovalRecord, 'id' | 'createdAt' | 'requester'>>): Promise<boolean> {
    const columns: Record<string, (v: unknown) => SqlValue> = {
      status: (v) => v as string,
      changes: json,
      finding: json,
      note: (v) => (v as string | undefined) ?? null,
      updatedAt: (v) => v as string,
      decidedBy: json,
      decidedAt: (v) => (v as string | undefined) ?? null,
      decisionReason: (v) => (v as string | undefined) ?? null,
      commands: json,
      verification: json,
    };
    const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    const p: Record<string, unknown> = { updatedAt: iso(), ...patch };
    const sets: string[] = [];
    const params: SqlValue[] = [];
    for (const [k, v] of Object.entries(p)) {
      const conv = columns[k];
      if (!conv) continue;
      sets.push(`${snake(k)} = ?`);
      params.push(conv(v));
    }
    const r = await this.q(`UPDATE approvals SET ${sets.join(', ')} WHERE id = ? AND status = ?`, [...params, id, fromStatus]);
    return r.changes === 1;
  }

  async listApprovals(options: { status?: ApprovalStatus; limit?: number } = {}): Promise<ApprovalRecord[]> {
    const { rows } = await this.q(
      `SELECT * FROM approvals ${options.status ? 'WHERE status = ?' : ''} ORDER BY created_at DESC, id LIMIT ?`,
      [...(options.status ? [options.status] : []), options.limit ?? 100],
    );
    return rows.map((r) => this.approval(r));
  }

  async appendAudit(e: AuditEvent): Promise<void> {
    await this.q(`INSERT INTO approval_audit (request_id, at, actor, action, detail) VALUES (?, ?, ?, ?, ?)`, [e.requestId, e.at, json(e.actor), e.action, json(e.detail)]);
  }

  async listAudit(options: { requestId?: string; limit?: number } = {}): Promise<AuditEvent[]> {
    const { rows } = await this.q(
      `SELECT * FROM approval_audit ${options.requestId ? 'WHERE request_id = ?' : ''} ORDER BY id LIMIT ?`,
      [...(options.requestId ? [options.requestId] : []), options.limit ?? 1000],
    );
    return rows.map((r) => ({ id: Number(r.id), requestId: String(r.request_id), at: String(r.at), actor: parse<Actor>(r.actor)!, action: String(r.action), detail: parse(r.detail) }));
  }

  // ── command audit (command-audit-sql.ts) ──
  async appendCommandAudit(e: CommandAuditEntry): Promise<void> {
    await appendCommandAudit({ query: (sql, params) => this.q(sql, params) }, e);
  }

  async listCommandAudit(options: { since?: string; afterId?: number; limit?: number } = {}): Promise<CommandAuditEntry[]> {
    return listCommandAudit({ query: (sql, params) => this.q(sql, params) }, options);
  }
}

/** A store over a driver: the operations plus transactions, migrations and lifecycle. */
export class SqlStore extends SqlOps implements Store {
  readonly kind: StoreKind;
  readonly location: string;
  private closed = false;

  constructor(private readonly driver: SqlDriver) {
    super(driver, driver.kind);
    this.kind = driver.kind;
    this.location = driver.location;
  }

  /** Creates the migrations table and applies pending migrations; safe when replicas start together. */
  async migrate(): Promise<number[]> {
    const applied: number[] = [];
    try {
      await this.driver.transaction(async (ex) => {
        await this.driver.lockForMigration(ex);
        await ex.query(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
        const { rows } = await ex.query(`SELECT version FROM schema_migrations`);
        const have = new Set(rows.map((r) => Number(r.version)));
        for (const m of MIGRATIONS) {
          if (have.has(m.version)) continue;
          for (const stmt of this.kind === 'sqlite' ? m.sqlite : m.postgres) await ex.query(stmt);
          await ex.query(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`, [m.version, m.name, iso()]);
          applied.push(m.version);
        }
      });
    } catch (e) {
      throw new StoreError(`Could not migrate the ${this.kind} store at ${this.location}: ${(e as Error).message}`, e);
    }
    return applied;
  }

  async migrations(): Promise<number[]> {
    const { rows } = await this.q(`SELECT version FROM schema_migrations ORDER BY version`);
    return rows.map((r) => Number(r.version));
  }

  async transaction<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T> {
    return this.driver.transaction((ex) => fn(new SqlOps(ex, this.kind)));
  }

  override async claimRun(o: ClaimOptions): Promise<ClaimResult> {
    try {
      return await this.driver.transaction((ex) => new SqlOps(ex, this.kind).claimInTransaction(o));
    } catch (e) {
      if (e instanceof Busy) return { claimed: false, reason: 'busy' };
      if (e instanceof StoreError) throw e;
      throw new StoreError(`The ${this.kind} store failed: ${(e as Error).message}`, e);
    }
  }

  override async finishRun(runId: number, result: Parameters<StoreOps['finishRun']>[1]): Promise<void> {
    await this.driver.transaction((ex) => new SqlOps(ex, this.kind).finishRun(runId, result));
  }

  async ping(): Promise<void> {
    await this.setState('krbops:ping', { at: iso() });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.driver.close();
  }
}
