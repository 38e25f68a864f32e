/**
 * A Fix as terminal lines: the commands run together, then each conditional block under its own
 * heading ("If crmweb does not run the service:"), so no run of lines pastes into a removal from
 * every holder.
 */
import type { Fix } from '../../src/model/index.js';

/** `indent` goes before headings; commands get `indent` plus `prefix` (default two spaces). */
export function fixText(fix: Fix, o: { indent?: string; prefix?: string; summary?: boolean } = {}): string[] {
  const indent = o.indent ?? '';
  const prefix = o.prefix ?? '  ';
  const lines: string[] = [];
  if (o.summary !== false) lines.push(`${indent}Fix: ${fix.summary}`);
  for (const c of fix.commands) lines.push(`${indent}${prefix}${c}`);
  for (const a of fix.alternatives ?? []) lines.push(`${indent}${a.when}`, ...a.commands.map((c) => `${indent}${prefix}${c}`));
  return lines;
}
