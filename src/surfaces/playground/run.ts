/**
 * The playground's one way to answer a line of chat text: plan it as Teams does (the same words
 * are accepted: `krb why-401 …`, `/spn list x`, `spn dupes`), run the command through the shared
 * core, and render the result with BOTH card renderers. This is the single place the playground
 * runs commands; it moves to the plan-and-run path of commands/ when that lands.
 */
import type { Logger } from 'pino';
import { cardsForResult, helpCards, type AdaptiveCard } from '../../../cards/teams/index.js';
import { helpCard, renderResult, type SlackReply } from '../../../cards/slack/index.js';
import { commands } from '../../../commands/index.js';
import { errorResultOf } from '../../../commands/error-result.js';
import type { Actor, AnyCommand, CommandObservation } from '../../../commands/types.js';
import type { Config } from '../../config.js';
import { createContext, type CoreOptions } from '../../core.js';
import { planTeamsMessage } from '../teams/dispatch.js';

/** One answer as both chats show it. */
export interface PlaygroundAnswer {
  /** The command that ran (`krb why-401`), `help`, or `invalid`. */
  command: string;
  kind: string;
  teams: AdaptiveCard[];
  slack: SlackReply;
}

export interface RunDeps {
  config: Config;
  log: Logger;
  core?: CoreOptions;
  observe?(o: CommandObservation): void;
}

export function render(result: { kind: string }, command?: AnyCommand): Pick<PlaygroundAnswer, 'teams' | 'slack'> {
  return { teams: cardsForResult(result, command), slack: renderResult(result, command, { commands }) };
}

export async function answerText(text: string, actor: Actor, deps: RunDeps): Promise<PlaygroundAnswer> {
  const plan = planTeamsMessage(commands, text);
  if (plan.type === 'help') return { command: 'help', kind: 'help', teams: helpCards(commands), slack: helpCard(commands) };
  if (plan.type === 'error') return { command: 'invalid', kind: 'error', ...render(plan.error) };
  const name = plan.command.path.join(' ');
  const started = Date.now();
  const ctx = createContext(deps.config, deps.log, actor, deps.core);
  try {
    const result = await plan.command.run(ctx, plan.args);
    deps.observe?.({ surface: actor.surface, command: name, outcome: 'ok', durationMs: Date.now() - started, actor });
    return { command: name, kind: result.kind, ...render(result, plan.command) };
  } catch (e) {
    const error = errorResultOf(e);
    if (error.code === 'INTERNAL') deps.log.error({ err: e, command: name }, 'playground command failed');
    deps.observe?.({ surface: actor.surface, command: name, outcome: 'error', code: error.code, durationMs: Date.now() - started, actor });
    return { command: name, kind: 'error', ...render(error, plan.command) };
  } finally {
    await ctx.close();
  }
}
