/**
 * Bolt and the Web API client log through krbops' pino logger (JSON, secrets redacted) instead of
 * their own console logger. https://docs.slack.dev/tools/bolt-js/concepts/logging
 */
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from 'pino';

const PINO_TO_BOLT: Record<string, LogLevel> = {
  trace: LogLevel.DEBUG,
  debug: LogLevel.DEBUG,
  info: LogLevel.INFO,
  warn: LogLevel.WARN,
  error: LogLevel.ERROR,
  fatal: LogLevel.ERROR,
  silent: LogLevel.ERROR,
};

function line(msg: unknown[]): { text: string; err?: Error } {
  const err = msg.find((m): m is Error => m instanceof Error);
  const text = msg
    .filter((m) => m !== err)
    .map((m) => (typeof m === 'string' ? m : (() => { try { return JSON.stringify(m); } catch { return String(m); } })()))
    .join(' ');
  return { text: text || err?.message || '', err };
}

/** Wraps a pino logger as a Bolt `Logger`. Bolt's level changes are ignored: krbops' LOG_LEVEL rules. */
export function boltLogger(log: Logger): BoltLogger {
  let child = log.child({ component: 'slack' });
  const emit = (level: 'debug' | 'info' | 'warn' | 'error') => (...msg: unknown[]) => {
    const { text, err } = line(msg);
    if (err) child[level]({ err }, text);
    else child[level](text);
  };
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    setLevel: () => {},
    getLevel: () => PINO_TO_BOLT[log.level] ?? LogLevel.INFO,
    setName: (name: string) => {
      child = log.child({ component: 'slack', name });
    },
  };
}
