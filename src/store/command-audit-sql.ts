/** The command audit's SQL, shared by both dialects (bound parameters only). */
import { str, type SqlExecutor } from './sql/base.js';
import type { CommandAuditEntry } from './types.js';

const opt = str;

export async function appendCommandAudit(ex: SqlExecutor, e: CommandAuditEntry): Promise<void> {
  await ex.query(
    `INSERT INTO command_audit (at, surface, actor_id, actor_name, channel_id, command, text, outcome, code, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [e.at, e.surface, e.actor.id, e.actor.name ?? null, e.channelId ?? null, e.command, e.text ?? null, e.outcome, e.code ?? null, Math.max(0, Math.round(e.durationMs))],
  );
}

export async function listCommandAudit(ex: SqlExecutor, o: { since?: string; afterId?: number; limit?: number } = {}): Promise<CommandAuditEntry[]> {
  const where = [...(o.since ? ['at >= ?'] : []), ...(o.afterId !== undefined ? ['id > ?'] : [])];
  const { rows } = await ex.query(`SELECT * FROM command_audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ?`, [
    ...(o.since ? [o.since] : []),
    ...(o.afterId !== undefined ? [o.afterId] : []),
    o.limit ?? 10_000,
  ]);
  return rows.map((r) => {
    const name = opt(r.actor_name);
    const channelId = opt(r.channel_id);
    const text = opt(r.text);
    const code = opt(r.code);
    return {
      id: Number(r.id),
      at: String(r.at),
      surface: String(r.surface) as CommandAuditEntry['surface'],
      actor: { id: String(r.actor_id), ...(name ? { name } : {}) },
      ...(channelId ? { channelId } : {}),
      command: String(r.command),
      ...(text ? { text } : {}),
      outcome: String(r.outcome) as CommandAuditEntry['outcome'],
      ...(code ? { code } : {}),
      durationMs: Number(r.duration_ms),
    };
  });
}
