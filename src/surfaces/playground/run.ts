/**
 * The playground's answer to a line of chat text: planned by the one chat planner (commands/plan.ts:
 * `krb why-401 …`, `/spn list x`, `spn dupes` all work), run through the one plan-and-run path
 * (commands/run.ts) that Slack, Teams and the CLI use, and rendered with BOTH card renderers.
 */
import type { Logger } from 'pino';
import { cardsForResult, helpCards, type AdaptiveCard } from '../../../cards/teams/index.js';
import { helpCard, renderResult, type SlackReply } from '../../../cards/slack/index.js';
import { commands } from '../../../commands/index.js';
import { planChat } from '../../../commands/plan.js';
import { observePlan, runCommand, type CommandHooks } from '../../../commands/run.js';
import type { AnyCommand } from '../../../commands/types.js';
import type { Config } from '../../config.js';
import type { CoreOptions } from '../../core.js';
import type { Actor } from '../../model/index.js';

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
  hooks?: CommandHooks;
}

export function render(result: { kind: string }, command?: AnyCommand): Pick<PlaygroundAnswer, 'teams' | 'slack'> {
  return { teams: cardsForResult(result, command), slack: renderResult(result, command, { commands }) };
}

export async function answerText(text: string, actor: Actor, deps: RunDeps): Promise<PlaygroundAnswer> {
  const plan = planChat(commands, text);
  if (plan.type !== 'run') {
    observePlan(plan, actor, { hooks: deps.hooks });
    if (plan.type === 'help') return { command: 'help', kind: 'help', teams: helpCards(commands), slack: helpCard(commands) };
    return { command: 'invalid', kind: 'error', ...render(plan.error) };
  }
  const outcome = await runCommand({ actor, command: plan.command, args: plan.args, line: plan.line }, { config: deps.config, log: deps.log, core: deps.core, hooks: deps.hooks });
  return { command: plan.command.path.join(' '), kind: outcome.result.kind, ...render(outcome.result, plan.command) };
}
