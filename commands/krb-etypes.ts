/**
 * `krb etypes` — every account holding an SPN, plus krbtgt, against the 2026 AES-only KDC default:
 * decoded msDS-SupportedEncryptionTypes, the types the KDC will use, whether AES keys likely exist,
 * a risk class (fails-now / at-risk / kerberoastable / ok) with reasons and the fix. One paged scan.
 */
import type { EtypesReport, EtypesResult } from '../src/model/index.js';
import { countByRisk, EtypesAccumulator } from '../src/etypes/report.js';
import type { CommandSpec } from './types.js';
import { krbEtypesInfo } from './catalog.js';


export function etypesJson(r: EtypesResult): EtypesReport {
  return { aesSince: r.aesSince, krbtgt: r.krbtgt, accounts: r.accounts };
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
};
export default krbEtypes;
