/** `krb etypes` for the terminal: the counts per class, krbtgt, then each account with its reasons and fix. Pure. */
import type { EtypeAccountReport, EtypeRisk, EtypesResult } from '../../src/model/index.js';

export const RISK_LABEL: Record<EtypeRisk, string> = { 'fails-now': 'Fails now', 'at-risk': 'At risk', kerberoastable: 'Kerberoastable', ok: 'OK' };

/** The --json document: exactly aesSince, krbtgt, accounts. */

export function countsLine(counts: Record<EtypeRisk, number>): string {
  return (['fails-now', 'at-risk', 'kerberoastable', 'ok'] as EtypeRisk[]).map((k) => `${counts[k]} ${RISK_LABEL[k].toLowerCase()}`).join(', ');
}

export function accountLines(a: EtypeAccountReport): string[] {
  const set = a.supportedEncryptionTypes.value === null ? 'not set' : `${a.supportedEncryptionTypes.value} (${a.supportedEncryptionTypes.hex})`;
  const keys = a.aesKeysLikely === null ? 'unknown' : a.aesKeysLikely ? 'likely' : 'likely missing';
  const lines = [
    `${a.sAMAccountName} (${a.kind})  msDS-SupportedEncryptionTypes: ${set} → KDC uses: ${a.effectiveEncryptionTypes.join(', ') || 'nothing'} · AES keys: ${keys} · password set: ${a.pwdLastSet?.slice(0, 10) ?? 'never'}`,
    ...a.reasons.map((r) => `    - ${r}`),
  ];
  if (a.risk !== 'ok') lines.push(`    Fix: ${a.fix.summary}`, ...a.fix.commands.map((c) => `      > ${c}`));
  return lines;
}

export function etypesText(r: EtypesResult): string {
  const lines = [
    `Encryption types in ${r.domain} under the 2026 AES-only default: ${r.accounts.length} accounts with SPNs — ${countsLine(r.counts)} (${r.durationMs} ms)`,
    `AES keys since: ${r.aesSince?.slice(0, 10) ?? 'unknown'} (${r.aesSinceBasis}; a heuristic)`,
  ];
  if (r.krbtgt) lines.push('', `krbtgt: ${RISK_LABEL[r.krbtgt.risk]}`, ...accountLines(r.krbtgt).map((l) => `  ${l}`));
  else lines.push('', 'krbtgt: not readable');
  for (const risk of ['fails-now', 'at-risk', 'kerberoastable', 'ok'] as EtypeRisk[]) {
    const group = r.accounts.filter((a) => a.risk === risk);
    if (!group.length) continue;
    lines.push('', `${RISK_LABEL[risk]} (${group.length}):`);
    if (risk === 'ok') lines.push(`  ${group.map((a) => a.sAMAccountName).join(', ')}`);
    else for (const a of group) lines.push(...accountLines(a).map((l) => `  ${l}`));
  }
  return lines.join('\n');
}
