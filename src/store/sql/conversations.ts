/** Table family `conversations`: Teams conversation references. */
import type { ConversationRecord } from '../types.js';
import { iso, json, parse, str } from './base.js';
import { RunOps } from './runs.js';

export class ConversationOps extends RunOps {
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
}
