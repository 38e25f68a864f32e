/**
 * Quoting one value for the shell a command runs in. Each function returns the value bare when it
 * holds only characters the shell takes literally (so ordinary names print as an engineer would
 * type them), quoted otherwise, and throws UnsafeCommandValueError for what cannot be quoted safely.
 *
 * - cmd.exe (setspn, appcmd, w32tm, ktpass): inside "…" only `"`, `%`, `!` (delayed expansion) and
 *   line breaks stay special, so those are refused; a trailing `\` would escape the closing quote.
 *   Placeholders (`CONTOSO\<app-pool-account>`) are quoted too: bare, `<` `>` are redirections.
 * - PowerShell: '…' is literal; the four single-quote characters PowerShell accepts (' ‘ ’ ‚ ‛) are
 *   doubled. A bare value never starts with `-` (it would bind as a parameter name).
 * - POSIX sh (curl, ktutil, klist, kvno): '…' is literal; `'` becomes '\''.
 */
import { UnsafeCommandValueError } from '../errors.js';

/** Control characters, including the Unicode line and paragraph separators and NEL. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point: they are refused in printed commands
const CONTROL = /[\u0000-\u001f\u007f\u0085\u2028\u2029]/;

/** A placeholder an engineer replaces by hand: `<app-pool-account>`, `<relying party>`. Printed as is. */
export const PLACEHOLDER = /^<[a-z][a-z0-9 ._-]{0,40}>$/i;

export function isPlaceholder(value: string): boolean {
  return PLACEHOLDER.test(value);
}

function refuseControl(kind: string, value: string): void {
  if (!value) throw new UnsafeCommandValueError(kind, value, 'it is empty');
  if (CONTROL.test(value)) throw new UnsafeCommandValueError(kind, value, 'it contains a line break or control character');
}

const CMD_BARE = /^[A-Za-z0-9._:/\\$@-]+$/;

/**
 * One argument for cmd.exe (and the argv parser of the program it starts). A placeholder is quoted
 * like any value with `<` `>` in it: bare, cmd.exe would read them as redirections (and a name from
 * outside can look like a placeholder).
 */
export function cmdArg(value: string, kind = 'a value'): string {
  refuseControl(kind, value);
  if (CMD_BARE.test(value) && !value.startsWith('-')) return value;
  if (/["%!]/.test(value)) throw new UnsafeCommandValueError(kind, value, 'cmd.exe would interpret its ", % or ! even inside quotes');
  if (value.endsWith('\\')) throw new UnsafeCommandValueError(kind, value, 'a trailing backslash would escape the closing quote');
  return `"${value}"`;
}

/** The same, always in double quotes (appcmd config paths, which read better quoted). */
export function cmdQuoted(value: string, kind = 'a value'): string {
  const bare = cmdArg(value, kind);
  return bare.startsWith('"') || isPlaceholder(value) ? bare : `"${bare}"`;
}

const PS_BARE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const PS_SINGLE_QUOTES = /['\u2018\u2019\u201a\u201b]/g;

/** One argument for PowerShell: bare when plain, else (placeholders too) a single-quoted (literal) string. */
export function psArg(value: string, kind = 'a value'): string {
  refuseControl(kind, value);
  if (PS_BARE.test(value)) return value;
  return `'${value.replace(PS_SINGLE_QUOTES, (q) => q + q)}'`;
}

/**
 * A PowerShell string that is always quoted: "…" when it holds only letters, digits, space and
 * `._-` (nothing PowerShell expands in double quotes), else a literal '…' string.
 */
export function psString(value: string, kind = 'a value'): string {
  refuseControl(kind, value);
  if (isPlaceholder(value)) return `"${value}"`;
  if (/^[A-Za-z0-9 ._-]+$/.test(value)) return `"${value}"`;
  return `'${value.replace(PS_SINGLE_QUOTES, (q) => q + q)}'`;
}

const SH_BARE = /^[A-Za-z0-9._:/@%+=,-]+$/;

/** One argument for POSIX sh: bare when plain, else single-quoted. */
export function shArg(value: string, kind = 'a value'): string {
  refuseControl(kind, value);
  if (SH_BARE.test(value) && !value.startsWith('-')) return value;
  return shQuoted(value, kind);
}

/** Always single-quoted for sh. */
export function shQuoted(value: string, kind = 'a value'): string {
  refuseControl(kind, value);
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
