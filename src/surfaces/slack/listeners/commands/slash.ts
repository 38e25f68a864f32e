/**
 * The slash commands (/spn, /krb, /adfs): acknowledged at once (Slack waits 3 s), then run; the
 * card goes back through `respond`. A command still running after `workingAfterMs` first shows
 * "Working on it…", which the answer then replaces.
 */
import type { App, RespondFn, webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { errorCard, helpCard, renderResult, workingCard, type SlackReply } from '../../../../../cards/slack/index.js';
import { commands as registry } from '../../../../../commands/index.js';
import { observePlan, runCommand, type CommandHooks } from '../../../../../commands/run.js';
import type { Actor, CommandResult } from '../../../../model/index.js';
import { newLogRef } from '../../../../log.js';
import { deliverReply, respondWithRetry, slackBlocks } from '../../deliver.js';
import { errorResultOf, planChatCommand, SLASH_COMMANDS, type Visibility } from '../../dispatch.js';
import { placeOf } from '../../../../policy/gate.js';
import { slackEmailOf } from '../../identity.js';
import type { ListenerEnv } from '../env.js';
import { workQueue } from '../../work-queue.js';

export function registerSlash(app: App, { config, deps, log, track }: ListenerEnv): void {
  const commands = deps.commands ?? registry;
  const workingAfterMs = deps.workingAfterMs ?? 1500;
  const gate = deps.gate;
  const slashRe = new RegExp(`^/(${SLASH_COMMANDS.join('|')})$`, 'i');

  // Acknowledged at once; then at most a few commands at work, so later acks never queue behind them all.
  const queue = workQueue(deps.workQueue);
  app.command(slashRe, async ({ command, ack, respond, client }) => {
    await ack();
    const acked = performance.now();
    const actor: Actor = { surface: 'slack', id: command.user_id, name: command.user_name };
    const clog = log.child({ slash: command.command, user: command.user_id, channel: command.channel_id });
    await track(
      queue(() => handleSlash({ slash: command.command, text: command.text, channelId: command.channel_id, actor, respond, client, log: clog, acked })).catch((e) =>
        clog.error({ err: e }, 'Slack command failed after acknowledgement'),
      ),
    );
  });

  async function handleSlash(a: { slash: string; text: string; channelId: string; actor: Actor; respond: RespondFn; client: webApi.WebClient; log: Logger; acked: number }): Promise<void> {
    const started = performance.now();
    const slashName = a.slash.replace(/^\//, '').toLowerCase();
    const plan = planChatCommand(commands, a.slash, a.text);
    const emailOf = slackEmailOf(a.client, a.log);
    const place = placeOf(a.actor, a.channelId);
    const line = `${a.slash} ${a.text ?? ''}`.trim();
    const hooks: CommandHooks = {
      authorize: gate ? (r) => gate.authorize({ ...r, place, emailOf }) : deps.authorize,
      observe: (o) => {
        deps.observe?.(o);
        gate?.observe({ ...o, line });
      },
    };
    const send = (reply: SlackReply, visibility: Visibility, replaceOriginal = false) =>
      deliverReply(reply, { respond: a.respond, visibility, replaceOriginal, log: a.log, client: a.client, channelId: a.channelId });

    if (plan.type === 'help') {
      await send(helpCard(gate ? await gate.visible(commands, a.actor, place, emailOf) : commands, { group: plan.group }), plan.visibility);
      observePlan(plan, a.actor, { hooks }, { channel: a.channelId, durationMs: performance.now() - started });
      return;
    }
    if (plan.type === 'error') {
      a.log.info({ code: plan.error.code }, 'slash command refused');
      await send(errorCard(plan.error, { helpCommand: slashName, commands }), 'ephemeral');
      observePlan(plan, a.actor, { hooks }, { channel: a.channelId, durationMs: performance.now() - started });
      return;
    }

    const name = plan.command.path.join(' ');
    let working: Promise<boolean> | undefined;
    const timer = setTimeout(() => {
      working = respondWithRetry(a.respond, { ...workingCard(plan.line), blocks: slackBlocks(workingCard(plan.line).blocks), response_type: plan.visibility }, a.log).then(
        () => true,
        (e) => {
          a.log.warn({ err: e }, 'could not post "Working on it…"');
          return false;
        },
      );
    }, Math.max(0, workingAfterMs - (performance.now() - a.acked)));

    const outcome = await runCommand(
      { actor: a.actor, command: plan.command, args: plan.args, channel: a.channelId, line: plan.line },
      { config, log: a.log, core: deps.core, hooks },
    ).finally(() => clearTimeout(timer));
    let result: CommandResult | { kind: string } = outcome.result;
    const replaced = working ? await working : false;

    let reply: SlackReply;
    try {
      reply = renderResult(result, plan.command, { commands, helpCommand: slashName });
    } catch (e) {
      const ref = newLogRef();
      a.log.error({ err: e, ref, command: name, kind: result.kind }, 'rendering the Slack card failed');
      result = errorResultOf(e, ref);
      reply = renderResult(result, plan.command, { commands, helpCommand: slashName });
    }

    if (result.kind === 'error' && plan.visibility === 'in_channel') {
      // A failure is for the person who asked, not the channel.
      if (replaced) await respondWithRetry(a.respond, { delete_original: true }, a.log).catch(() => undefined);
      await send(reply, 'ephemeral');
    } else {
      await send(reply, plan.visibility, replaced);
    }
    a.log.info({ command: name, kind: result.kind, ms: Math.round(performance.now() - started) }, 'slash command answered');
  }

}
