/**
 * The command audit as the command path uses it: one entry per command run from any surface, in the
 * same store as the approvals. Text is stripped of secrets first; a store that fails is logged and
 * never fails the command.
 */
import type { Logger } from 'pino';
import { silentLogger } from '../log.js';
import type { CommandAuditEntry, StoreOps } from '../store/types.js';
import { redactSecrets } from './redact.js';

/** At most this much of the typed text is kept. */
export const MAX_AUDIT_TEXT = 2000;

export interface CommandAudit {
  record(entry: CommandAuditEntry): Promise<void>;
}

export function createCommandAudit(o: { store: Pick<StoreOps, 'appendCommandAudit'>; log?: Logger }): CommandAudit {
  const log = o.log ?? silentLogger;
  return {
    async record(entry) {
      const text = entry.text === undefined ? undefined : redactSecrets(entry.text).slice(0, MAX_AUDIT_TEXT);
      try {
        await o.store.appendCommandAudit({ ...entry, ...(text === undefined ? {} : { text }) });
      } catch (e) {
        log.error({ err: e, command: entry.command, surface: entry.surface }, 'could not write the command audit');
      }
    },
  };
}
