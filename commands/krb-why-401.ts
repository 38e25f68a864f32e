/**
 * `krb why-401 <url>` — gather what a Kerberos expert would (directory, DNS, HTTP probe, clocks,
 * pasted IIS config, KDC), run the rule catalog and answer with the most likely cause first, its
 * evidence and the exact fix, then the other findings and the checks that passed.
 */
import { readFileSync, statSync } from 'node:fs';
import { collectEvidence, type CollectDeps } from '../src/collectors/index.js';
import { MAX_IIS_CONFIG_LENGTH } from '../src/collectors/iis-config.js';
import { runRules, why401Result } from '../src/engine.js';
import { InvalidInputError } from '../src/errors.js';
import { rules } from '../src/rules/index.js';
import type { Why401Result } from '../src/model/index.js';
import type { CommandContext, CommandSpec } from './types.js';
import { krbWhy401Info } from './catalog.js';

const asList = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);
const asString = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v : undefined);

/** ADFS evidence from the configured metadata (no previous state: expected thumbprints and secondaries still show a rollover). */
function adfsLoader(ctx: CommandContext): CollectDeps['adfs'] {
  const [source] = ctx.config.adfs.metadataUrls;
  if (source === undefined) return undefined;
  return async () => {
    const [{ collectAdfs }, { checkAdfs }, { toAdfsEvidence }] = await Promise.all([
      import('../src/collectors/adfs.js'),
      import('../src/rules/catalog/adfs.js'),
      import('../src/adfs/index.js'),
    ]);
    const now = ctx.now();
    const snapshot = await collectAdfs(source, { now, caFile: ctx.config.adfs.caFile, timeoutMs: ctx.config.probeTimeoutMs });
    const findings = checkAdfs(snapshot, undefined, { now, warnDays: ctx.config.adfs.warnDays, expectedThumbprints: ctx.config.adfs.expectedThumbprints });
    return toAdfsEvidence(snapshot, findings);
  };
}

/** Runs a why-401 diagnosis: the core every surface (and the benchmark) calls. */
export async function diagnose(ctx: CommandContext, request: Parameters<typeof collectEvidence>[0]): Promise<Why401Result> {
  const started = Date.now();
  const evidence = await collectEvidence(request, {
    config: ctx.config,
    directory: () => ctx.directory(),
    log: ctx.log,
    now: () => ctx.now(),
    adfs: adfsLoader(ctx),
    // The CLI is run by an operator; anyone in chat is held to the probe policy (issue 11, SSRF).
    requester: ctx.actor.surface === 'cli' ? 'operator' : 'chat',
    ...(ctx.kerberosHelper ? { kerberosHelper: ctx.kerberosHelper } : {}),
  });
  const run = runRules(evidence, rules);
  return why401Result(evidence, run, Date.now() - started);
}

const krbWhy401: CommandSpec<Why401Result> = {
  ...krbWhy401Info,
  cliPrepare(args, cliOptions) {
    const file = cliOptions.iisConfig ?? cliOptions['iis-config'];
    if (typeof file !== 'string') return;
    let text: string;
    try {
      if (statSync(file).size > MAX_IIS_CONFIG_LENGTH) throw new InvalidInputError(`${file} is larger than ${MAX_IIS_CONFIG_LENGTH} bytes; paste the windowsAuthentication section only.`);
      text = readFileSync(file, 'utf8');
    } catch (e) {
      if (e instanceof InvalidInputError) throw e;
      throw new InvalidInputError(`Cannot read the IIS config file ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'}).`);
    }
    args.options.iis = text;
    args.options['iis-source'] = 'file';
  },
  async run(ctx, args) {
    const iisText = asString(args.options.iis);
    return diagnose(ctx, {
      url: args.positionals.url!,
      identity: asString(args.options.identity),
      user: asString(args.options.user),
      backends: asList(args.options.backend),
      iisConfig: iisText ? { text: iisText, source: args.options['iis-source'] === 'file' ? 'file' : 'option' } : undefined,
    });
  },
};

export default krbWhy401;
