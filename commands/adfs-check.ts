/**
 * `adfs check [url|file]` — the AD FS token-signing/decrypting certificates a federation metadata
 * document publishes, and what is wrong with them (expiry thresholds, AutoCertificateRollover
 * secondary, thumbprints relying parties trust, metadata signature). Seed 004 / KB 2686840.
 *
 * From chat only the configured metadata URLs (KRBOPS_ADFS_METADATA_URLS) are fetched: a chat user
 * must not make the bot read files on its host or probe arbitrary internal addresses.
 */
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { collectAdfs } from '../src/collectors/adfs.js';
import { checkAdfs } from '../src/rules/catalog/adfs.js';
import { rankFindings } from '../src/engine.js';
import { isUrlSource } from '../src/adfs/fetch.js';
import { summarizeCertificate } from '../src/adfs/index.js';
import type { AdfsFinding } from '../src/model/index.js';
import { CommandUsageError, InvalidInputError } from '../src/errors.js';
import { usageText } from './parse.js';
import type { CommandSpec } from './types.js';
import type { AdfsCheckResult } from '../src/model/results.js';
import { adfsCheckInfo, krbAdfsInfo } from './catalog.js';


/** Every certificate in a PEM bundle, or the one DER certificate of a .cer file. */
function readPins(path: string): string[] {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (e) {
    throw new InvalidInputError(`Cannot read the pinned certificate file ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  const text = raw.toString('latin1');
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  try {
    return blocks ? blocks.map((b) => new X509Certificate(b).toString()) : [new X509Certificate(raw).toString()];
  } catch {
    throw new InvalidInputError(`${path} does not hold an X.509 certificate (PEM or DER .cer exported from AD FS).`);
  }
}

const adfsCheck: CommandSpec<AdfsCheckResult> = {
  ...adfsCheckInfo,
  cliPrepare(args, cliOptions) {
    if (typeof cliOptions.pin === 'string') args.options.pinPem = readPins(cliOptions.pin);
  },
  async run(ctx, args) {
    const cfg = ctx.config.adfs;
    const fromChat = ctx.actor.surface === 'slack' || ctx.actor.surface === 'teams';
    const given = args.positionals.source?.trim();
    let sources: string[];
    if (given) {
      if (fromChat) {
        if (!isUrlSource(given)) throw new CommandUsageError('From chat, give a metadata URL (https://…), not a file path.', usageText(adfsCheck));
        const configured = new Set(cfg.metadataUrls.map((u) => normalizeUrl(u)));
        if (!configured.has(normalizeUrl(given))) {
          throw new CommandUsageError(
            'From chat, krbops only fetches the metadata URLs configured in KRBOPS_ADFS_METADATA_URLS; run `krbops adfs check <url>` on the command line for another one.',
            usageText(adfsCheck),
          );
        }
      }
      sources = [given];
    } else {
      if (!cfg.metadataUrls.length) {
        throw new CommandUsageError('No metadata source: give a URL (or a file on the command line), or set KRBOPS_ADFS_METADATA_URLS.', usageText(adfsCheck));
      }
      sources = cfg.metadataUrls;
    }
    const now = ctx.now();
    const pins = (args.options.pinPem as string[] | undefined) ?? [];
    ctx.progress?.(`Fetching federation metadata from ${sources.length} source${sources.length === 1 ? '' : 's'}…`);
    const snapshots = await Promise.all(sources.map((s) => collectAdfs(s, { now, caFile: cfg.caFile, pins, allowFiles: !fromChat })));
    const findings: AdfsFinding[] = [];
    for (const snap of snapshots) {
      findings.push(...checkAdfs(snap, undefined, { now, warnDays: cfg.warnDays, expectedThumbprints: cfg.expectedThumbprints }));
    }
    // One ranking for every source (the engine's: severity, then certainty).
    const ranked = rankFindings(findings);
    return {
      kind: 'adfs-check',
      checkedAt: now.toISOString(),
      sources: snapshots.map((s) => ({
        source: s.source,
        entityId: s.entityId,
        ok: !s.error,
        signature: s.signature.status,
        signatureDetail: s.signature.reason,
        primaryThumbprint: s.primaryThumbprint,
        ...(s.error ? { error: { code: s.error.code, message: s.error.message } } : {}),
      })),
      certificates: snapshots.flatMap((s) => s.certificates.map((c) => ({ ...summarizeCertificate(c), source: s.source }))),
      findings: ranked,
    };
  },
};
export default adfsCheck;

/** `/krb adfs` in chat: the same command under the why-401 group. */
export const krbAdfs: CommandSpec<AdfsCheckResult> = { ...adfsCheck, ...krbAdfsInfo };

function normalizeUrl(u: string): string {
  try {
    return new URL(u).href;
  } catch {
    return u;
  }
}
