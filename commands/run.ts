/**
 * The one plan-and-run path every surface calls (Slack, Teams, the CLI, the playground):
 *
 *   request → context → authorize → run → error mapping → close → observe (metrics, audit)
 *
 * A surface only acknowledges, delivers and renders: it plans chat text with `planChat`
 * (commands/plan.ts) or parses argv (CLI), then calls `runCommand` and renders the result with
 * cards/. Hooks are where cross-cutting policy plugs in, once for every surface:
 *  - `authorize(request)`: before the command runs; throw NotAuthorizedError to refuse (access policy).
 *  - `observe(observation)`: after every answer, ok or error (metrics, the command audit).
 */
import type { Logger } from 'pino';
import type { Config } from '../src/config.js';
import { createContext, type CoreOptions } from '../src/core.js';
import { KrbopsError } from '../src/errors.js';
import { newLogRef } from '../src/log.js';
import type { Actor, CommandResult, ErrorResult } from '../src/model/index.js';
import { errorResultOf } from './error-result.js';
import type { AnyCommand, CommandObservation, ParsedArgs } from './types.js';

/** One command to run for one actor. */
export interface CommandRequest {
  actor: Actor;
  command: AnyCommand;
  args: ParsedArgs;
  /** Where it was asked (Slack channel ID, Teams conversation ID); absent on the CLI. */
  channel?: string;
  /** The request as typed, shortened (chat), for audit. */
  line?: string;
}

export interface CommandHooks {
  /** Runs before the command; throwing (NotAuthorizedError) refuses it, and the refusal is the answer. */
  authorize?(request: CommandRequest): void | Promise<void>;
  /** Called once per answered request (commands, help, refused input); must not throw. */
  observe?(observation: CommandObservation): void;
}

export interface RunEnv {
  config: Config;
  log: Logger;
  /** Passed to createContext (directory opener, clock, approvals). */
  core?: CoreOptions;
  hooks?: CommandHooks;
}

export type RunOutcome =
  | { ok: true; result: CommandResult | { kind: string }; durationMs: number }
  | { ok: false; result: ErrorResult; /** What was thrown (the CLI maps it to an exit code). */ error: unknown; ref: string; durationMs: number };

/** Runs one command through the whole path. Never throws: failures come back as an ErrorResult. */
export async function runCommand(request: CommandRequest, env: RunEnv): Promise<RunOutcome> {
  const started = performance.now();
  const name = request.command.path.join(' ');
  const ctx = createContext(env.config, env.log, request.actor, env.core);
  let outcome: RunOutcome;
  try {
    await env.hooks?.authorize?.(request);
    const result: { kind: string } = (await request.command.run(ctx, request.args)) as { kind: string };
    outcome = { ok: true, result, durationMs: performance.now() - started };
  } catch (e) {
    const ref = newLogRef();
    if (e instanceof KrbopsError) env.log.info({ code: e.code, command: name }, e.message);
    else env.log.error({ err: e, ref, command: name }, 'command failed');
    outcome = { ok: false, result: errorResultOf(e, ref), error: e, ref, durationMs: performance.now() - started };
  } finally {
    await ctx.close().catch((e: unknown) => env.log.warn({ err: e }, 'closing the directory failed'));
  }
  observe(env, {
    surface: request.actor.surface,
    command: name,
    outcome: outcome.ok ? 'ok' : 'error',
    ...(outcome.ok ? {} : { code: outcome.result.code }),
    durationMs: outcome.durationMs,
    actor: request.actor,
    ...(request.channel ? { channel: request.channel } : {}),
  });
  return outcome;
}

/** Records a chat request that ran no command: `help`, or `invalid` for text that named none. */
export function observePlan(plan: { type: 'help' } | { type: 'error'; error: ErrorResult }, actor: Actor, env: Pick<RunEnv, 'hooks'>, o: { channel?: string; durationMs?: number } = {}): void {
  observe(env, {
    surface: actor.surface,
    command: plan.type === 'help' ? 'help' : 'invalid',
    outcome: plan.type === 'help' ? 'ok' : 'error',
    ...(plan.type === 'error' ? { code: plan.error.code } : {}),
    durationMs: o.durationMs ?? 0,
    actor,
    ...(o.channel ? { channel: o.channel } : {}),
  });
}

function observe(env: Pick<RunEnv, 'hooks'>, o: CommandObservation): void {
  try {
    env.hooks?.observe?.(o);
  } catch {
    // An observer (metrics, audit) must never change the answer.
  }
}
