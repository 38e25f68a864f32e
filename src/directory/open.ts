/**
 * The one default directory opener of every surface, job and health check: a DC over LDAP(S)
 * (`LDAP_URL=ldaps://…`) or an LDIF export (`LDAP_URL=file:<path>`, `--ldif <path>`). Each kind is
 * imported when first opened, so a command that reads no directory loads neither (issue 15).
 */
import type { Logger } from 'pino';
import { DEFAULT_LDAP_POOL, requireLdap, type Config, type LdapConfig } from '../config.js';
import type { LdapPool, LdapPoolStats, LdapSearcher } from './ldap-pool.js';
import type { DirectoryReader } from './types.js';

export async function openConfiguredDirectory(config: Config, log: Logger): Promise<DirectoryReader> {
  if (config.ldifFile) return (await import('./ldif-directory.js')).openLdifDirectory(config.ldifFile, { threads: config.ldifThreads });
  const ldap = requireLdap(config);
  return (await import('./ldap-directory.js')).openDirectory(ldap, log);
}

/** True when a directory (a DC or an export) is configured. */
export function hasDirectory(config: Config): boolean {
  return !!(config.ldap || config.ldifFile);
}

/** The directory opener of a long-running server: one bounded connection pool per DC list (and GC), shared by every request. */
export interface DirectoryOpener {
  open: (config: Config, log: Logger) => Promise<DirectoryReader>;
  /** A searcher on the DC pool (for lookups outside a directory, e.g. AD group membership); undefined without LDAP_URL. */
  dcSearcher(): Promise<LdapSearcher> | undefined;
  /** The DC pool's numbers (undefined before the first LDAP open, and for an export). */
  stats(): LdapPoolStats | undefined;
  /** Closes the pools' connections (shutdown). */
  close(): Promise<void>;
}

/**
 * For `krbops serve`: directories over a shared pool of at most LDAP_POOL_SIZE connections to the DCs
 * (and as many to the GC), instead of a connection per request. An export is opened as usual.
 */
export function createDirectoryOpener(config: Config, log: Logger): DirectoryOpener {
  let pools: Promise<{ dc: LdapPool; gc?: LdapPool }> | undefined;
  let opened: { dc: LdapPool; gc?: LdapPool } | undefined;
  const poolsFor = (ldap: LdapConfig) =>
    (pools ??= import('./ldap-pool.js').then(({ LdapPool }) => {
      const options = ldap.pool ?? DEFAULT_LDAP_POOL;
      const plog = log.child({ component: 'ldap-pool' });
      return (opened = { dc: LdapPool.forUrls(ldap, ldap.urls, options, plog), ...(ldap.gcUrl ? { gc: LdapPool.forUrls(ldap, [ldap.gcUrl], options, plog) } : {}) });
    }));
  return {
    async open(cfg, requestLog) {
      if (cfg.ldifFile || !cfg.ldap) return openConfiguredDirectory(cfg, requestLog);
      const ldap = cfg.ldap;
      const [p, { pooledDirectory }] = await Promise.all([poolsFor(ldap), import('./ldap-directory.js')]);
      return pooledDirectory(p, ldap, requestLog);
    },
    dcSearcher() {
      const ldap = config.ldap;
      return ldap ? poolsFor(ldap).then((p) => p.dc.searcher()) : undefined;
    },
    stats: () => opened?.dc.stats(),
    async close() {
      const p = opened;
      pools = undefined;
      opened = undefined;
      await Promise.all([p?.dc.close(), p?.gc?.close()]);
    },
  };
}
