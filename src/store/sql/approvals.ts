/** Table family `approvals` and `approval_audit`: SPN change requests and their audit trail. */
import type { Actor, ApprovalRecord, ApprovalStatus, AuditEvent, SpnChange } from '../../model/index.js';
import { iso, json, parse, str, type SqlValue } from './base.js';
import { SpnOwnerOps } from './spn-owners.js';

export class ApprovalOps extends SpnOwnerOps {
  // ── approvals ──
  async insertApproval(a: ApprovalRecord): Promise<void> {
    await this.q(
      `INSERT INTO approvals (id, status, requester, changes, finding, note, created_at, updated_at, decided_by, decided_at, decision_reason, commands, verification, expires_at, rollback, preflight)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        a.id, a.status, json(a.requester), json(a.changes), json(a.finding), a.note ?? null, a.createdAt, a.updatedAt, json(a.decidedBy), a.decidedAt ?? null,
        a.decisionReason ?? null, json(a.commands ?? []), json(a.verification), a.expiresAt ?? null, json(a.rollback), json(a.preflight),
      ],
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
      expiresAt: str(r.expires_at),
      rollback: parse<string[]>(r.rollback),
      preflight: parse(r.preflight),
    };
  }

  async getApproval(id: string): Promise<ApprovalRecord | undefined> {
    const { rows } = await this.q(`SELECT * FROM approvals WHERE id = ?`, [id]);
    const [row] = rows;
    return row ? this.approval(row) : undefined;
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
      expiresAt: (v) => (v as string | undefined) ?? null,
      rollback: json,
      preflight: json,
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
}
