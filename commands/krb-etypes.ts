/**
 * `krb etypes` — every account holding an SPN, plus krbtgt, against the 2026 AES-only KDC default:
 * decoded msDS-SupportedEncryptionTypes, the types the KDC will use, whether AES keys likely exist,
 * a risk class (fails-now / at-risk / kerberoastable / ok) with reasons and the fix. One paged scan.
 */
import type { EtypeAccountReport, EtypeRisk, EtypesReport, EtypesResult } from '../src/model/index.js';
import { countByRisk, EtypesAccumulator } from '../src/etypes/report.js';
import type { CommandSpec } from './types.js';
import { krbEtypesInfo } from './catalog.js';


export const RISK_LABEL: Record<EtypeRisk, string> = { 'fails-now': 'Fails now', 'at-risk': 'At risk', kerberoastable: 'Kerberoastable', ok: 'OK' };

/** The --json document: exactly aesSince, krbtgt, accounts. */
export function etypesJson(r: EtypesResult): EtypesReport {
  return { aesSince: r.aesSince, krbtgt: r.krbtgt, accounts: r.accounts };
}

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

const krbEtypes: CommandSpec<EtypesResult> = {
  ...krbEtypesInfo,
  async run(ctx) {
    const started = Date.now();
    const dir = await ctx.directory();
    ctx.progress?.('Reading the encryption types of every account with an SPN…');
    const [info, facts] = await Promise.all([dir.info(), dir.domainKeyFacts()]);
    const acc = new EtypesAccumulator(facts, { netbios: info.netbiosDomain }, ctx.now());
    for await (const a of dir.scanEncryptionTypes()) acc.add(a);
    const report = acc.result();
    return {
      kind: 'krb-etypes',
      server: info.server,
      domain: facts.domainDn,
      aesSinceBasis: acc.aesSince.basis,
      counts: countByRisk(report.accounts),
      ...report,
      durationMs: Date.now() - started,
    };
  },
  json: etypesJson,
  text(r) {
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
  },
};
export default krbEtypes;
