/**
 * `krb explain` for a pasted Negotiate header: `WWW-Authenticate: Negotiate <base64>` (the server's
 * reply: a reject carries a KRB-ERROR) or `Authorization: Negotiate <base64>` (the browser's
 * request: the ticket's SPN, realm, encryption type and key version). Decoded with
 * src/kerberos/tokens.ts; nothing is decrypted. Pure.
 */
import { CANNOT_DECRYPT } from '../kerberos/codes.js';
import { mechName, decodeNegotiateToken, kerberosMessageOf, TokenDecodeError, type DecodedToken } from '../kerberos/tokens.js';
import { klistWindows, krbops, setspn } from '../fix/index.js';
import type { DecodedNegotiate } from '../model/index.js';

export type { DecodedNegotiate };

export interface TokenExplanation {
  decoded: DecodedNegotiate;
  /** The code the explain catalog knows it by (KRB_AP_ERR_BADKEYVER, AP-REQ…). */
  code: string;
  meaning: string;
  rules: string[];
  /** What to check next, built by src/fix; `v` holds what the pasted text mentions (or placeholders). */
  next: (v: { url: string }) => string[];
  /** The SPN the token names, for follow-up commands. */
  spn?: string;
}

const HEADER_RE = /(?:^|\s|["'])(?:(WWW-Authenticate|Authorization)\s*:\s*)?Negotiate\s+([A-Za-z0-9+/]{16,}={0,2})/i;

const RULES_BY_CODE: Record<number, string[]> = {
  7: ['spn-missing-fqdn', 'spn-duplicate', 'dns-cname-target', 'spn-port-mismatch'],
  31: ['server-cannot-decrypt', 'spn-wrong-account', 'kernel-mode-without-app-pool-credentials'],
  35: ['server-cannot-decrypt', 'spn-wrong-account'],
  41: ['server-cannot-decrypt', 'spn-wrong-account', 'kernel-mode-without-app-pool-credentials', 'spn-duplicate'],
  44: ['keytab-key-version-mismatch'],
  37: ['clock-skew'],
};

/** An SPN from a pasted token, only when nothing in it can mean anything to a shell (it is user text). */
const plainSpn = (spn: string): string | undefined => (/^[A-Za-z][A-Za-z0-9]{0,30}\/[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/i.test(spn) ? spn : undefined);

const minutes = (ms: number) => `${(Math.abs(ms) / 60_000).toFixed(1)} min ${ms >= 0 ? 'ahead of' : 'behind'}`;

/** Finds and decodes a Negotiate token in pasted text; undefined when there is none. */
export function explainNegotiateHeader(text: string, now?: Date): TokenExplanation | undefined {
  const m = HEADER_RE.exec(text);
  if (!m) return undefined;
  const header = (m[1] ? (m[1].toLowerCase() === 'authorization' ? 'Authorization' : 'WWW-Authenticate') : 'Negotiate') as DecodedNegotiate['header'];
  let d: DecodedToken;
  try {
    d = decodeNegotiateToken(m[2] ?? '');
  } catch (e) {
    const why = e instanceof TokenDecodeError ? e.message : 'it could not be decoded';
    return {
      decoded: { header, token: 'undecodable', error: why },
      code: 'Negotiate token',
      meaning: `The pasted Negotiate token cannot be read: ${why}. Copy the whole header value from the browser's developer tools (Network → the 401 response → Response headers).`,
      rules: [],
      next: () => [],
    };
  }
  const decoded: DecodedNegotiate = { header, token: d.wrapper };
  if (d.wrapper === 'spnego-init') decoded.mechanisms = d.mechTypes.map(mechName);
  if (d.wrapper === 'spnego-resp' && d.negState) decoded.negState = d.negState;
  if (d.wrapper === 'ntlm') {
    return { decoded, code: 'NTLM', meaning: `The token is NTLM (message type ${d.messageType}), not Kerberos: the browser did not get a Kerberos ticket and fell back to NTLM — usually no SPN for the host it asked (or the site is not in the intranet zone).`, rules: ['spn-missing-fqdn', 'spn-duplicate', 'dns-cname-target'], next: (v) => [krbops.why401(v.url)] };
  }
  const msg = kerberosMessageOf(d);
  if (msg?.type === 'krb-error') {
    const skewMs = now ? Date.parse(msg.stime) - now.getTime() : undefined;
    decoded.kerberosError = { code: msg.code, name: msg.name, serverName: `${msg.sname}@${msg.realm}`, serverTime: msg.stime, ...(skewMs !== undefined ? { skewMs } : {}), ...(msg.eText ? { eText: msg.eText } : {}) };
    const clock = msg.code === 37 && skewMs !== undefined ? ` The server's clock read ${msg.stime}: ${minutes(skewMs)} krbops' clock now (allow for the time since the header was captured).` : ` Server time ${msg.stime}.`;
    const decrypt = (CANNOT_DECRYPT as readonly number[]).includes(msg.code) ? ' The server cannot decrypt tickets for this SPN: the key it holds is not the key of the account that holds the SPN.' : '';
    return {
      decoded,
      code: msg.name,
      meaning: `The server rejected the Kerberos ticket (SPNEGO ${d.wrapper === 'spnego-resp' ? `negState ${d.negState ?? 'absent'}` : 'token'}): KRB-ERROR ${msg.code} ${msg.name} — ${msg.meaning}. It answered as ${msg.sname}@${msg.realm}.${clock}${decrypt}`,
      rules: RULES_BY_CODE[msg.code] ?? [],
      next: (v) => (plainSpn(msg.sname) ? [setspn.query(msg.sname), krbops.why401(`http://${msg.sname.split('/')[1]?.split(':')[0] ?? '<host>'}/`)] : [krbops.why401(v.url)]),
      ...(plainSpn(msg.sname) ? { spn: msg.sname } : {}),
    };
  }
  if (msg?.type === 'ap-req') {
    decoded.ticket = { spn: msg.sname, realm: msg.realm, etype: msg.etype, etypeName: msg.etypeName, ...(msg.kvno !== undefined ? { kvno: msg.kvno } : {}) };
    return {
      decoded,
      code: 'AP-REQ',
      meaning: `The browser presents a Kerberos ticket for ${msg.sname}@${msg.realm}, encrypted with ${msg.etypeName} (etype ${msg.etype})${msg.kvno !== undefined ? `, key version ${msg.kvno}` : ''}${msg.mutualRequired ? ', mutual authentication requested' : ''}. The server must hold that key (the same account, the same key version) to accept it.`,
      rules: ['keytab-key-version-mismatch', 'server-cannot-decrypt', 'encryption-types-mismatch'],
      next: () => (plainSpn(msg.sname) ? [setspn.query(msg.sname), klistWindows.get(msg.sname)] : []),
      ...(plainSpn(msg.sname) ? { spn: msg.sname } : {}),
    };
  }
  if (msg?.type === 'ap-rep') {
    return { decoded, code: 'AP-REP', meaning: `The server accepted the ticket and proves itself (mutual authentication, ${msg.etypeName}): Kerberos worked for this request.`, rules: [], next: () => [] };
  }
  const state = d.wrapper === 'spnego-resp' ? ` (negState ${d.negState ?? 'absent'})` : d.wrapper === 'spnego-init' ? ` offering ${decoded.mechanisms?.join(', ') || 'no mechanism'}` : '';
  return { decoded, code: 'SPNEGO', meaning: `A SPNEGO token${state} without a Kerberos message krbops reads.`, rules: [], next: () => [] };
}
