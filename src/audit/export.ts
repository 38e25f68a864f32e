/**
 * `krbops audit export --since <time>`: the command audit as JSON lines, one entry per line, oldest
 * first, for a SIEM. `<time>` is an ISO-8601 date or time (`2026-12-01`, `2026-12-01T08:00:00Z`)
 * or an age (`90m`, `24h`, `7d`).
 */
import { CommandUsageError } from '../errors.js';
import type { CommandAuditEntry, StoreOps } from '../store/types.js';

export const AUDIT_EXPORT_USAGE = 'krbops audit export --since <time> [--json]   (<time>: 2026-12-01, 2026-12-01T08:00:00Z, 90m, 24h, 7d)';

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `24h` → now − 24 h; `2026-12-01` → that instant. Throws CommandUsageError for anything else. */
export function parseSince(text: string | undefined, now: Date = new Date()): Date {
  const t = (text ?? '').trim();
  if (!t) throw new CommandUsageError('--since is required: from when to export.', AUDIT_EXPORT_USAGE);
  const age = /^(\d{1,6})([mhd])$/i.exec(t);
  const unitMs = age ? UNIT_MS[(age[2] ?? '').toLowerCase()] : undefined;
  if (age && unitMs !== undefined) return new Date(now.getTime() - Number(age[1]) * unitMs);
  if (/^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.test(t)) {
    const d = new Date(t.length === 10 ? `${t}T00:00:00Z` : t);
    if (!Number.isNaN(d.getTime())) return d;
  }
  throw new CommandUsageError(`"${t.slice(0, 40)}" is not a time: use an ISO date or time (2026-12-01, 2026-12-01T08:00:00Z) or an age (90m, 24h, 7d).`, AUDIT_EXPORT_USAGE);
}

/** Page size of the export; every page is printed before the next is read. */
const PAGE = 5000;

/** Writes every entry since `since`, one JSON object per line, in the order recorded; returns how many. */
export async function exportCommandAudit(store: Pick<StoreOps, 'listCommandAudit'>, since: Date, write: (line: string) => void): Promise<number> {
  let afterId: number | undefined;
  let count = 0;
  for (;;) {
    const page: CommandAuditEntry[] = await store.listCommandAudit({ since: since.toISOString(), afterId, limit: PAGE });
    for (const e of page) write(`${JSON.stringify(e)}\n`);
    count += page.length;
    if (page.length < PAGE) return count;
    afterId = page.at(-1)!.id;
  }
}
