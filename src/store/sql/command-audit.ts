/** Table family `command_audit`: every command run from any surface (statements in ../command-audit-sql.ts). */
import { appendCommandAudit, listCommandAudit } from '../command-audit-sql.js';
import type { CommandAuditEntry } from '../types.js';
import { ApprovalOps } from './approvals.js';

export class CommandAuditOps extends ApprovalOps {
  async appendCommandAudit(e: CommandAuditEntry): Promise<void> {
    await appendCommandAudit({ query: (sql, params) => this.q(sql, params) }, e);
  }

  async listCommandAudit(options: { since?: string; afterId?: number; limit?: number } = {}): Promise<CommandAuditEntry[]> {
    return listCommandAudit({ query: (sql, params) => this.q(sql, params) }, options);
  }
}
