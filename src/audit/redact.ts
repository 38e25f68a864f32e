/**
 * Strips secrets from command text before it is audited: values of password / token / secret
 * options and parameters, chat and bearer tokens, JWTs, and the user-info part of URLs. The rest
 * stays readable, so an auditor still sees what was asked.
 */

const MARK = '[redacted]';

/** `--password x`, `--token=x`, `-p x`: the option names whose value is a secret. */
const SECRET_OPTION = /(^|\s)(--?(?:password|passwd|pwd|pass|secret|token|api-key|apikey|client-secret|key|p))(?:(=)|\s+)("[^"]*"|'[^']*'|\S+)/gi;
/** `password=x`, `access_token: x`, `sig=x` in pasted configs, query strings and headers. */
const SECRET_PARAM = /\b((?:[\w-]*?(?:password|passwd|pwd|secret|token|apikey|api_key|signature|sig))\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s&;,]+)/gi;
/** Slack tokens (xoxb-, xoxp-, xapp-…), bearer tokens and JWTs. */
const TOKENS = [/\bxox[abposr]-[\w-]+/g, /\bxapp-[\w-]+/g, /\b(Bearer|Basic|Negotiate|NTLM)\s+[\w+/=.~-]{8,}/gi, /\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/g];
/** `scheme://user:password@host` → `scheme://[redacted]@host` (any user info at all). */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi;

export function redactSecrets(text: string): string {
  let out = text.replace(URL_USERINFO, `$1${MARK}@`);
  for (const t of TOKENS) out = out.replace(t, (m, scheme?: string) => (typeof scheme === 'string' && /^(Bearer|Basic|Negotiate|NTLM)$/i.test(scheme) ? `${scheme} ${MARK}` : MARK));
  out = out.replace(SECRET_OPTION, (_m, lead: string, name: string, eq: string | undefined) => `${lead}${name}${eq ?? ' '}${MARK}`);
  out = out.replace(SECRET_PARAM, (_m, name: string) => `${name}${MARK}`);
  return out;
}
