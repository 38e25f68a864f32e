/** Table family `kv` (job state) and `posted_alerts` (alerts posted once, through the outbox: pending → posted). */
import type { PostedAlert } from '../types.js';
import { iso, json, parse, str } from './base.js';
import { SqlBase } from './base.js';

export class KvOps extends SqlBase {
  // ── key/value ──
  async getState<T = unknown>(key: string): Promise<T | undefined> {
    const { rows } = await this.q(`SELECT value FROM kv WHERE key = ?`, [key]);
    const [row] = rows;
    return row ? parse<T>(row.value) : undefined;
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

  async claimAlert(key: string, target: string, o: { job?: string; title?: string; payload: string; now: Date; staleMs: number }): Promise<'claimed' | 'posted' | 'busy' | 'redeliver'> {
    const now = iso(o.now);
    const { rows } = await this.q(
      `INSERT INTO posted_alerts (alert_key, target, job, title, posted_at, state, payload, claimed_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT (alert_key, target) DO NOTHING RETURNING alert_key`,
      [key, target, o.job ?? null, o.title ?? null, now, o.payload, now],
    );
    if (rows.length === 1) return 'claimed';
    const found = await this.q(`SELECT state, claimed_at FROM posted_alerts WHERE alert_key = ? AND target = ?`, [key, target]);
    const row = found.rows[0];
    if (!row || row.state !== 'pending') return 'posted';
    const claimedAt = str(row.claimed_at);
    if (claimedAt && claimedAt > iso(new Date(o.now.getTime() - o.staleMs))) return 'busy';
    // Compare-and-set on the old claim: of two replicas finding the same stale claim, one wins.
    const { rows: won } = await this.q(
      `UPDATE posted_alerts SET claimed_at = ?, payload = COALESCE(payload, ?) WHERE alert_key = ? AND target = ? AND state = 'pending' AND ${claimedAt ? 'claimed_at = ?' : 'claimed_at IS NULL'} RETURNING alert_key`,
      [now, o.payload, key, target, ...(claimedAt ? [claimedAt] : [])],
    );
    return won.length === 1 ? 'redeliver' : 'busy';
  }

  async confirmPosted(key: string, target: string, ref?: string): Promise<void> {
    await this.q(`UPDATE posted_alerts SET state = 'posted', ref = ?, posted_at = ? WHERE alert_key = ? AND target = ?`, [ref ?? null, iso(), key, target]);
  }

  async pendingAlerts(olderThan: Date, limit = 100): Promise<{ key: string; target: string; payload: string }[]> {
    const { rows } = await this.q(
      `SELECT alert_key, target, payload FROM posted_alerts WHERE state = 'pending' AND (claimed_at IS NULL OR claimed_at < ?) AND payload IS NOT NULL ORDER BY claimed_at, alert_key LIMIT ?`,
      [iso(olderThan), limit],
    );
    return rows.map((r) => ({ key: String(r.alert_key), target: String(r.target), payload: String(r.payload) }));
  }

  async listPosted(options: { job?: string; limit?: number } = {}): Promise<PostedAlert[]> {
    const { rows } = await this.q(
      `SELECT alert_key, target, job, title, posted_at FROM posted_alerts ${options.job ? 'WHERE job = ?' : ''} ORDER BY posted_at DESC, alert_key LIMIT ?`,
      [...(options.job ? [options.job] : []), options.limit ?? 1000],
    );
    return rows.map((r) => ({ key: String(r.alert_key), target: String(r.target), job: str(r.job), title: str(r.title), postedAt: String(r.posted_at) }));
  }
}
