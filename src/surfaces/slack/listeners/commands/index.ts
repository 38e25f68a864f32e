import type { App } from '@slack/bolt';
import type { ListenerEnv } from '../env.js';
import { registerSlash } from './slash.js';

/** Slash command listeners. */
export function register(app: App, env: ListenerEnv): void {
  registerSlash(app, env);
}
