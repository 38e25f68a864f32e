/**
 * Every Slack listener, registered by folder as bolt-js apps do: listeners/commands (slash
 * commands), listeners/actions (buttons). A new listener goes in its folder's index.ts.
 */
import type { App } from '@slack/bolt';
import * as actions from './actions/index.js';
import * as commands from './commands/index.js';
import type { ListenerEnv } from './env.js';

export type { ListenerEnv } from './env.js';

export function registerListeners(app: App, env: ListenerEnv): void {
  commands.register(app, env);
  actions.register(app, env);
  app.error(async (error) => {
    env.log.error({ err: error }, 'Slack app error');
  });
}
