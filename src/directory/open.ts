/**
 * The one default directory opener of every surface, job and health check: a DC over LDAP(S)
 * (`LDAP_URL=ldaps://…`) or an LDIF export (`LDAP_URL=file:<path>`, `--ldif <path>`).
 */
import type { Logger } from 'pino';
import { requireLdap, type Config } from '../config.js';
import { openDirectory as openLdapDirectory } from './ldap-directory.js';
import { openLdifDirectory } from './ldif-directory.js';
import type { DirectoryReader } from './types.js';

export async function openConfiguredDirectory(config: Config, log: Logger): Promise<DirectoryReader> {
  if (config.ldifFile) return openLdifDirectory(config.ldifFile);
  return openLdapDirectory(requireLdap(config), log);
}

/** True when a directory (a DC or an export) is configured. */
export function hasDirectory(config: Config): boolean {
  return !!(config.ldap || config.ldifFile);
}
