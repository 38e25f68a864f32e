/**
 * The slash commands (/spn, /krb, /adfs): acknowledged at once (Slack waits 3 s), then run; the
 * card goes back through `respond`. A command still running after `workingAfterMs` first shows
 * "Working on it…", which the answer then replaces.
 */
import { randomUUID } from 'node:crypto';
import type { App, RespondFn, webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { errorCard, helpCard, renderResult, workingCard, type SlackReply } from '../../../../../cards/slack/index.js';
import { commands as registry } from '../../../../../commands/index.js';
import type { Actor } from '../../../../model/index.js';
import { createContext } from '../../../../core.js';
import { KrbopsError } from '../../../../errors.js';
import { deliverReply, respondWithRetry } from '../../deliver.js';
import { errorResultOf, planChatCommand, SLASH_COMMANDS, type Visibility } from '../../dispatch.js';
import type { ListenerEnv } from '../env.js';

export function registerSlash(app: App, { config, deps, log, track }: ListenerEnv): void {
  const commands = deps.commands ?? registry;
  const workingAfterMs = deps.workingAfterMs ?? 1500;
  const slashRe = new RegExp(`^/(${SLASH_COMMANDS.join('|')})$`, 'i');

  app.command(slashRe, async ({ command, ack, respond, client }) => {
    await ack();
    const actor: Actor = { surface: 'slack', id: command.user_id, name: command.user_name };
    const clog = log.child({ slash: command.command, user: command.user_id, channel: command.channel_id });
    await track(
      handleSlash({ slash: command.command, text: command.text, channelId: command.channel_id, actor, respond, client, log: clog }).catch((e) =>
        clog.error({ err: e }, 'Slack command failed after acknowledgement'),
      ),
    );
  });

  async function handleSlash(a: { slash: string; text: string; channelId: string; actor: Actor; respond: RespondFn; client: webApi.WebClient; log: Logger }): Promise<void> {
    const started = performance.now();
    const slashName = a.slash.replace(/^\//, '').toLowerCase();
    const plan = planChatCommand(commands, a.slash, a.text);
    const observe = (command: string, result: { kind: string; code?: string }) =>
      deps.observe?.({
        surface: 'slack',
        command,
        outcome: result.kind === 'error' ? 'error' : 'ok',
        ...(result.kind === 'error' ? { code: result.code } : {}),
        durationMs: performance.now() - started,
        actor: a.actor,
      });
    const send = (reply: SlackReply, visibility: Visibility, replaceOriginal = false) =>
      deliverReply(reply, { respond: a.respond, visibility, replaceOriginal, log: a.log, client: a.client, channelId: a.channelId });

    if (plan.type === 'help') {
      await send(helpCard(commands, { group: plan.group }), plan.visibility);
      observe('help', { kind: 'help' });
      return;
    }
    if (plan.type === 'error') {
      a.log.info({ code: plan.error.code }, 'slash command refused');
      await send(errorCard(plan.error, { helpCommand: slashName, commands }), 'ephemeral');
      observe('invalid', plan.error);
      return;
    }

    const name = plan.command.path.join(' ');
    const ctx = createContext(config, a.log, a.actor, deps.core);
    let working: Promise<boolean> | undefined;
    const timer = setTimeout(() => {
      working = respondWithRetry(a.respond, { ...workingCard(plan.line), blocks: workingCard(plan.line).blocks as never, response_type: plan.visibility }, a.log).then(
        () => true,
        (e) => {
          a.log.warn({ err: e }, 'could not post "Working on it…"');
          return false;
        },
      );
    }, workingAfterMs);

    let result: { kind: string; code?: string };
    try {
      result = await plan.command.run(ctx, plan.args);
    } catch (e) {
      const ref = randomUUID().slice(0, 8);
      if (e instanceof KrbopsError) a.log.info({ code: e.code, command: name }, e.message);
      else a.log.error({ err: e, ref, command: name }, 'command failed');
      result = errorResultOf(e, ref);
    } finally {
      clearTimeout(timer);
      await ctx.close().catch((e) => a.log.warn({ err: e }, 'closing the directory failed'));
    }
    const replaced = working ? await working : false;

    let reply: SlackReply;
    try {
      reply = renderResult(result, plan.command, { commands, helpCommand: slashName });
    } catch (e) {
      const ref = randomUUID().slice(0, 8);
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
    observe(name, result);
  }

}
