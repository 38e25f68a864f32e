#!/usr/bin/env node
/**
 * The `krbops` command line: every command of the registry, plus `serve` and `config`.
 * Exit codes: 0 answered (whatever it found), 2 bad usage or input, 3 directory unreachable or
 * refused, 4 other dependency down (ADFS, store), 1 internal error.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { commands } from '../commands/index.js';
import { loadCommand } from '../commands/lazy.js';
import { usageText } from '../commands/parse.js';
import type { AnyCommand, ParsedArgs } from '../commands/types.js';
import { ldifPath, loadConfig, redactedConfig, type Config } from './config.js';
import { runCommand } from '../commands/run.js';
import { renderText } from '../cards/text/index.js';
import { isCommandResult } from './model/index.js';
import { CommandUsageError, DirectoryError, ErrorCode, InvalidInputError, KrbopsError, NotAuthorizedError, userMessage } from './errors.js';
import { createLogger, silentLogger } from './log.js';
import type { Store } from './store/index.js';
import { writeJson } from './surfaces/cli/json.js';

/** The version in package.json (found from dist/src/ or src/ alike). */
function packageVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  try {
    return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export const EXIT = { ok: 0, internal: 1, usage: 2, directory: 3, dependency: 4 } as const;

export function exitCodeFor(e: unknown): number {
  if (e instanceof CommandUsageError || e instanceof InvalidInputError || e instanceof NotAuthorizedError) return EXIT.usage;
  // A name that matches no account is bad input too: scripts can tell it from "found, no SPNs".
  if (e instanceof KrbopsError && (e.code === ErrorCode.ConfigInvalid || e.code === ErrorCode.AccountNotFound || e.code === ErrorCode.UnsafeCommandValue)) return EXIT.usage;
  if (e instanceof DirectoryError) return EXIT.directory;
  if (e instanceof KrbopsError) return EXIT.dependency;
  return EXIT.internal;
}

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

function buildProgram(config: () => Config, io: Io, setExit: (code: number) => void): Command {
  const program = new Command('krbops')
    .description('Kerberos HTTP 401 chat-ops: SPN lookups, why-401 diagnosis, ADFS and duplicate-SPN watchers')
    .version(packageVersion(), '-V, --version', 'print the krbops version')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });

  const groups = new Map<string, Command>();
  for (const cmd of commands) {
    let parent = program;
    for (const word of cmd.path.slice(0, -1)) {
      let g = groups.get(word);
      if (!g) {
        g = program.command(word).description(`${word} commands`);
        g.exitOverride();
        groups.set(word, g);
      }
      parent = g;
    }
    const sub = parent.command(cmd.path.at(-1)!).description(cmd.summary).exitOverride();
    for (const p of cmd.positionals) sub.argument(p.required ? `<${p.name}${p.rest ? '...' : ''}>` : `[${p.name}${p.rest ? '...' : ''}]`, p.description);
    for (const o of cmd.options) {
      const flags = `${o.short ? `-${o.short}, ` : ''}--${o.name}${o.type === 'string' ? ` <${o.valueName ?? 'value'}>` : ''}`;
      const opt = new Option(flags, o.description);
      if (o.multiple) opt.argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v]);
      sub.addOption(opt);
    }
    for (const o of cmd.cliOptions ?? []) sub.addOption(new Option(`--${o.name}${o.type === 'string' ? ` <${o.valueName ?? 'value'}>` : ''}`, o.description));
    sub.option('--json', 'print one JSON document');
    sub.option('--ldif <path>', 'read this LDIF export instead of a DC (like LDAP_URL=file:<path>)');
    sub.addHelpText('after', cmd.examples.length ? `\nExamples:\n${cmd.examples.map((e) => `  krbops ${e}`).join('\n')}` : '');
    sub.action(async (...argv: unknown[]) => {
      const opts = argv[cmd.positionals.length] as Record<string, unknown>;
      const positionals: ParsedArgs['positionals'] = {};
      cmd.positionals.forEach((p, i) => {
        const v = argv[i];
        positionals[p.name] = Array.isArray(v) ? v.join(' ') : (v as string | undefined);
      });
      const options: ParsedArgs['options'] = {};
      for (const o of cmd.options) {
        const key = o.name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
        options[o.name] = opts[key] as string | string[] | boolean | undefined;
      }
      const args: ParsedArgs = { positionals, options };
      const json = Boolean(opts.json);
      try {
        // Only this command's module is imported (the registry is lazy; issue 15: start-up).
        const impl = await loadCommand(cmd);
        impl.cliPrepare?.(args, opts); // CLI-only options (files on this host)
        const cfg = withLdif(config(), opts.ldif);
        if (cfg.ldap && !cfg.ldap.tlsRejectUnauthorized) io.err('krbops: warning: LDAP_TLS_REJECT_UNAUTHORIZED=false, DC certificates are not verified (set LDAP_CA_FILE instead)\n');
        const log = process.env.LOG_LEVEL ? createLogger(process.env.LOG_LEVEL, process.stderr) : silentLogger;
        // An export is indexed once per process before the command runs, so a big one does not eat the collectors' time budget.
        if (cfg.ldifFile) await (await import('./directory/ldif-directory.js')).openLdifDirectory(cfg.ldifFile, { threads: cfg.ldifThreads });
        // The one plan-and-run path (commands/run.ts), as Slack and Teams use it.
        const outcome = await runCommand({ actor: { surface: 'cli', id: process.env.USER ?? 'cli' }, command: cmd, args }, { config: cfg, log });
        if (!outcome.ok) throw outcome.error;
        if (json) writeJson(impl.json ? impl.json(outcome.result) : outcome.result, io.out);
        else io.out(`${isCommandResult(outcome.result) ? renderText(outcome.result) : JSON.stringify(outcome.result, null, 2)}
`);
        setExit(dependencyDown(outcome.result) ? EXIT.dependency : EXIT.ok);
      } catch (e) {
        reportError(e, io, json, cmd);
        setExit(exitCodeFor(e));
      }
    });
  }

  program
    .command('config')
    .description('Print the configuration krbops read from the environment (secrets redacted), as JSON')
    .option('--json', 'print one JSON document (the default; accepted like on every other command)')
    .exitOverride()
    .action(() => {
      io.out(`${JSON.stringify(redactedConfig(config()), null, 2)}\n`);
    });

  const audit = program.command('audit').description('The command audit (every command run from chat)');
  audit
    .command('export')
    .description('Print the command audit since a time as JSON lines (one entry per line, for a SIEM)')
    .option('--since <time>', 'ISO-8601 date or time (2026-12-01, 2026-12-01T08:00:00Z) or an age (90m, 24h, 7d)')
    .option('--json', 'JSON lines (the only format; accepted for symmetry with the other commands)')
    .exitOverride()
    .action(async (opts: { since?: string; json?: boolean }) => {
      let store: Store | undefined;
      try {
        const [{ exportCommandAudit, parseSince }, { openStore }] = await Promise.all([import('./audit/export.js'), import('./store/index.js')]);
        const since = parseSince(opts.since);
        store = await openStore(config().dbUrl);
        await exportCommandAudit(store, since, io.out);
        setExit(EXIT.ok);
      } catch (e) {
        reportError(e, io, Boolean(opts.json));
        setExit(exitCodeFor(e));
      } finally {
        await store?.close();
      }
    });

  program
    .command('export-ldif')
    .description('Print the ldifde and ldapsearch commands that export exactly what krbops reads (then use --ldif <file>)')
    .option('--domain <name>', 'DNS name of the domain', 'contoso.com')
    .option('--dc <host>', 'a DC host name for ldapsearch (default dc1.<domain>)')
    .exitOverride()
    .action(async (opts: { domain: string; dc?: string }) => {
      try {
        const { exportPlan, exportText } = await import('./directory/export-commands.js');
        io.out(`${exportText(exportPlan(opts.domain, opts.dc))}\n`);
      } catch (e) {
        reportError(e, io, false);
        setExit(exitCodeFor(e));
      }
    });

  program
    .command('serve')
    .description('Run the bot: Slack, Teams, scheduled watchers, /healthz and /metrics on one HTTP server')
    .action(async () => {
      // Nothing configured: the demo domain on the playground instead of a bot that can only answer with configuration errors.
      const { demoEnv, isDemo } = await import('./demo.js');
      const cfg = isDemo(process.env) ? loadConfig(demoEnv(process.env)) : config();
      const { serve } = await import('./serve.js');
      await serve(cfg);
    });
  return program;
}

/** `--ldif <path>` replaces the configured directory with that export (checked like LDAP_URL=file:). */
function withLdif(cfg: Config, ldif: unknown): Config {
  if (typeof ldif !== 'string') return cfg;
  const { ldap: _dc, ...rest } = cfg;
  return { ...rest, ldifFile: ldifPath(`file:${ldif}`, '--ldif') };
}

function reportError(e: unknown, io: Io, json: boolean, cmd?: AnyCommand): void {
  const k = e instanceof KrbopsError ? e : undefined;
  if (json) {
    io.out(`${JSON.stringify({ error: { code: k?.code ?? ErrorCode.Internal, message: userMessage(e), ...(k?.details ?? {}) } }, null, 2)}\n`);
  }
  io.err(`krbops: ${userMessage(e)}\n`);
  if (e instanceof CommandUsageError) io.err(`${e.usage}\n`);
  else if (e instanceof InvalidInputError && cmd) io.err(`${usageText(cmd)}\n`);
  if (!k && process.env.LOG_LEVEL === 'debug') io.err(`${(e as Error)?.stack ?? String(e)}\n`);
}

/** An answer that could not reach a dependency — an ADFS source that could not be fetched — exits 4 (README, exit codes). */
function dependencyDown(result: unknown): boolean {
  const r = result as { kind?: string; sources?: { ok?: boolean }[] };
  return r.kind === 'adfs-check' && !!r.sources?.some((x) => x.ok === false);
}

/** Runs the CLI; returns the exit code (so tests can call it in-process). */
export async function main(argv: string[], io: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) }): Promise<number> {
  let code: number = EXIT.ok;
  let cached: Config | undefined;
  const config = () => (cached ??= loadConfig(process.env));
  const program = buildProgram(config, io, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0) return EXIT.ok;
      return EXIT.usage;
    }
    reportError(e, io, argv.includes('--json'));
    return exitCodeFor(e);
  }
  return code;
}

function invokedDirectly(): boolean {
  try {
    return !!process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}
/** Runs the CLI on process.argv and sets the exit code (this file run directly, or the bundled bin). */
export function runCli(): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`krbops: ${userMessage(e)}\n`);
      process.exitCode = EXIT.internal;
    },
  );
}
if (invokedDirectly()) runCli();
