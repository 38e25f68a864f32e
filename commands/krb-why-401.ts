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
import type { Finding, Why401Result } from '../src/model/index.js';
import { authenticationLine } from '../src/rules/support/verdict.js';
import type { CommandContext, CommandSpec } from './types.js';
import { krbWhy401Info } from './catalog.js';
import { fixText } from './fix-text.js';

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
  text: why401Text,
};

const LABEL: Record<string, string> = { critical: 'CRITICAL', high: 'HIGH', medium: 'MEDIUM', low: 'LOW', info: 'INFO' };

function findingBlock(f: Finding, n: number): string[] {
  const head = `${f.status === 'fail' ? `[${LABEL[f.severity]}]` : `[UNKNOWN · ${f.severity}]`}${f.verified ? ' [VERIFIED BY KERBEROS]' : ''}`;
  const lines = [`${n}. ${head} ${f.title}${f.subject && !f.title.includes(f.subject) ? ` — ${f.subject}` : ''}  (${f.ruleId})`];
  lines.push(`   Why: ${f.why}`);
  if (f.evidence.length) lines.push('   Evidence:', ...f.evidence.map((e) => `     - ${e}`));
  if (f.missing?.length) lines.push(`   Missing: ${f.missing.join('; ')}`);
  lines.push(`   ${f.status === 'fail' ? 'Fix' : 'Next'}: ${f.fix.summary}`);
  lines.push(...fixText(f.fix, { indent: '   ', prefix: '  > ', summary: false }));
  return lines;
}

/** Terminal rendering: the verdict in one sentence, then findings, then what passed. */
export function why401Text(r: Why401Result): string {
  const lines: string[] = [];
  lines.push(`why-401 ${r.url}`);
  if (r.canonicalHost || r.expectedSpns.length) lines.push(`  canonical host: ${r.canonicalHost ?? '?'}; browsers request: ${r.expectedSpns.join(', ') || '(no SPN: IP address)'}`);
  lines.push('', r.verdict);
  const kerberos = authenticationLine(r.authentication);
  if (kerberos && !r.verdict.startsWith('Verified by Kerberos')) lines.push(kerberos);
  else if (r.authentication && !r.authentication.attempted && r.authentication.reason) lines.push(`Kerberos exchange not attempted: ${r.authentication.reason}`);
  lines.push('');
  const fails = r.findings.filter((f) => f.status === 'fail');
  const unknowns = r.findings.filter((f) => f.status === 'unknown');
  let n = 0;
  for (const f of fails) lines.push(...findingBlock(f, ++n), '');
  if (unknowns.length) {
    lines.push('Could not decide:');
    for (const f of unknowns) lines.push(...findingBlock(f, ++n), '');
  }
  if (r.inferred.length) lines.push('Inferred:', ...r.inferred.map((i) => `  - ${i}`), '');
  if (r.collectorErrors.length) lines.push('Collector errors:', ...r.collectorErrors.map((e) => `  - ${e.collector}: ${e.message} (${e.code})`), '');
  lines.push(`passed: ${r.passed.map((p) => p.title).join(', ') || '(none)'}`);
  if (r.notApplicable?.length) lines.push(`not applicable: ${r.notApplicable.map((p) => `${p.title}: ${p.reason}`).join('; ')}`);
  lines.push(`(${(r.durationMs / 1000).toFixed(2)} s)`);
  return lines.join('\n');
}

export default krbWhy401;
