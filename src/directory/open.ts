/**
 * The one default directory opener of every surface, job and health check: a DC over LDAP(S)
 * (`LDAP_URL=ldaps://…`) or an LDIF export (`LDAP_URL=file:<path>`, `--ldif <path>`). Each kind is
 * imported when first opened, so a command that reads no directory loads neither (issue 15).
 */
import type { Logger } from 'pino';
import { requireLdap, type Config } from '../config.js';
import type { DirectoryReader } from './types.js';

export async function openConfiguredDirectory(config: Config, log: Logger): Promise<DirectoryReader> {
  if (config.ldifFile) return (await import('./ldif-directory.js')).openLdifDirectory(config.ldifFile);
  const ldap = requireLdap(config);
  return (await import('./ldap-directory.js')).openDirectory(ldap, log);
}

/** True when a directory (a DC or an export) is configured. */
export function hasDirectory(config: Config): boolean {
  return !!(config.ldap || config.ldifFile);
}
