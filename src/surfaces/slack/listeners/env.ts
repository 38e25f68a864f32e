/**
 * What every Slack listener is given (bolt-js style: each folder's `register(app, env)` adds its
 * listeners to the app).
 */
import type { Logger } from 'pino';
import type { Config } from '../../../config.js';
import type { SlackDeps } from '../types.js';

export interface ListenerEnv {
  config: Config;
  deps: SlackDeps;
  log: Logger;
  /** Keeps a handler's promise in the set `drain()` waits for. */
  track: <T>(p: Promise<T>) => Promise<T>;
}
