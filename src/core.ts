/**
 * The one core every surface shares: configuration, a lazily opened directory, a logger, a clock.
 * Surfaces build a CommandContext per request with `createContext` and close it afterwards.
 */
import type { Logger } from 'pino';
import type { CommandContext } from '../commands/types.js';
import type { Actor } from './model/index.js';
import type { Approvals } from './approvals/service.js';
import type { Config } from './config.js';
import type { KerberosHelper } from './collectors/kerberos-helper.js';
import { openConfiguredDirectory } from './directory/open.js';
import type { DirectoryReader } from './directory/types.js';

export interface ContextHandle extends CommandContext {
  /** Closes the directory connection if one was opened. */
  close(): Promise<void>;
}

export interface CoreOptions {
  /** Replaces the LDAP directory (tests of surfaces that do not need AD use a real lab instead when they can). */
  openDirectory?: (config: Config, log: Logger) => Promise<DirectoryReader>;
  now?: () => Date;
  /** SPN change requests for `krb approvals` / `krb verify` (createApprovals over the serve store). Default none. */
  approvals?: Approvals;
  /** The process's Kerberos helper (`krbops serve` keeps one and ends it on shutdown). Default: a why-401 starts one for itself. */
  kerberosHelper?: KerberosHelper;
}

export function createContext(config: Config, log: Logger, actor: Actor, options: CoreOptions = {}): ContextHandle {
  let dir: Promise<DirectoryReader> | undefined;
  const open = options.openDirectory ?? openConfiguredDirectory;
  return {
    config,
    log,
    actor,
    now: options.now ?? (() => new Date()),
    ...(options.approvals ? { approvals: options.approvals } : {}),
    ...(options.kerberosHelper ? { kerberosHelper: options.kerberosHelper } : {}),
    directory() {
      if (!dir) dir = open(config, log);
      return dir;
    },
    async close() {
      if (dir) await (await dir.catch(() => undefined))?.close();
    },
  };
}
