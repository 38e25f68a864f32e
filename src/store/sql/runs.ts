/** Table family `job_runs` and `job_leases`: one run per job and tick, leases that free a dead replica's job. */
import { StoreError } from '../../errors.js';
import type { ClaimOptions, ClaimResult, JobRun, RunOutcome } from '../types.js';
import { Busy, cellText, iso, json, parse, RUN_RETENTION_MS, str } from './base.js';
import { KvOps } from './kv.js';

export class RunOps extends KvOps {
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
    const [inserted] = ins.rows;
    if (!inserted) return { claimed: false, reason: 'taken' };
    const runId = Number(inserted.id);
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
        [nowIso, `lease of ${cellText(prev.holder)} expired at ${cellText(prev.expires_at)}: the replica stopped during the run`, Number(prev.run_id)],
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
    const [finished] = rows;
    if (!finished) return;
    const job = cellText(finished.job);
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
}
