/**
 * The command contract: a command parses words, calls the core and returns a result object.
 * It knows nothing of Slack, Teams or the terminal; surfaces render results with cards/.
 */
import type { Logger } from 'pino';
import type { Approvals } from '../src/approvals/service.js';
import type { Config } from '../src/config.js';
import type { KerberosHelper } from '../src/collectors/kerberos-helper.js';
import type { DirectoryReader } from '../src/directory/types.js';
import type { Actor } from '../src/model/actor.js';

export interface OptionSpec {
  name: string;
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  description: string;
  /** Shown in usage: `--identity <account>` */
  valueName?: string;
}

export interface PositionalSpec {
  name: string;
  required: boolean;
  description: string;
  /** Takes the rest of the words (for pasted error text). */
  rest?: boolean;
}

export interface ParsedArgs {
  positionals: Record<string, string | undefined>;
  options: Record<string, string | string[] | boolean | undefined>;
}


export interface CommandContext {
  config: Config;
  /** The directory, connected lazily on first use and closed by the surface. */
  directory(): Promise<DirectoryReader>;
  log: Logger;
  now: () => Date;
  actor: Actor;
  /** Reports progress for long scans ("Scanning the forest…"); surfaces may show it. */
  progress?(message: string): void;
  /** SPN change requests (`krb approvals`, `krb verify`). Absent: those commands open the store of config.dbUrl themselves. */
  approvals?: Approvals;
  /** The process's Kerberos helper (kinit, kvno, GSSAPI off the main process). Absent: a why-401 starts one for itself. */
  kerberosHelper?: KerberosHelper;
}

/** What a command is, without what it does (commands/catalog.ts): enough to list, plan, parse and show help. */
export interface CommandInfo {
  /** Words that select the command: ['spn','list']. */
  path: string[];
  summary: string;
  positionals: PositionalSpec[];
  options: OptionSpec[];
  examples: string[];
  /** Longest single argument accepted, default MAX_ARG_LENGTH (2048): `krb explain` takes pasted Negotiate tokens of several KB. */
  maxArgLength?: number;
  /** Reply visibility in chat by default (Slack ephemeral vs in-channel). */
  defaultVisibility: 'ephemeral' | 'in_channel';
  /**
   * Options only the CLI offers (e.g. `--iis-config <file>`): a chat user must never make the bot
   * read files on its host. `cliPrepare` turns them into ordinary args (file → `--iis` text).
   */
  cliOptions?: OptionSpec[];
}

export interface CommandSpec<R extends { kind: string } = { kind: string }> extends CommandInfo {
  run: (ctx: CommandContext, args: ParsedArgs) => Promise<R>;
  /** Turns the CLI-only options (e.g. `--iis-config <file>`) into ordinary args (file → `--iis` text). */
  cliPrepare?(args: ParsedArgs, cliOptions: Record<string, unknown>): void;
  /** The `--json` document, when it is not the result itself (default: the result as it is). */
  json?(result: R): unknown;
  // The terminal rendering is cards/text (renderText), like the chat cards: a command only answers.
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the registry holds commands of every result type; `run`/`json`/`text` take their own R, so no single R (not even `unknown`) fits them all
export type AnyCommand = CommandSpec<any>;

/**
 * A registry entry (commands/index.ts): the command's catalog entry, and its module imported on
 * first use. `run` loads it; the CLI calls `load()` before `cliPrepare` and `json`.
 */
export interface LazyCommand<R extends { kind: string } = { kind: string }> extends CommandSpec<R> {
  /** The command module's own spec (imported once, then cached). */
  load(): Promise<CommandSpec<R>>;
  /** The module's `json`, or the result itself when it has none. */
  json(result: R): unknown;
}

/** One command answered by a surface, for `/metrics` and audit logs. */
export interface CommandObservation {
  surface: Actor['surface'];
  /** `spn list`, `krb why-401`, `help`, or `invalid` for text that named no command. */
  command: string;
  outcome: 'ok' | 'error';
  /** The error code when outcome is 'error'. */
  code?: string;
  durationMs: number;
  actor: Actor;
  /** Where it was asked (chat channel or conversation), when the surface knows. */
  channel?: string;
}
