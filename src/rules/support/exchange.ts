/**
 * Reading the SPNEGO exchange (evidence.authentication) for rules and for the verdict: one line
 * that says what happened, the server's clock offset from a KRB_AP_ERR_SKEW, the SPN holder the
 * ticket was encrypted for.
 */
import type { AuthenticationEvidence, Evidence } from '../../model/index.js';
import { kdcTarget } from './evidence-view.js';
import { klistWindows } from '../../fix/index.js';

/** The exchange, when one took place (a probe identity was configured and the host resolved). */
export function exchangeOf(ev: Evidence): (AuthenticationEvidence & { outcome: NonNullable<AuthenticationEvidence['outcome']> }) | undefined {
  const a = ev.authentication;
  return a?.attempted && a.outcome ? (a as AuthenticationEvidence & { outcome: NonNullable<AuthenticationEvidence['outcome']> }) : undefined;
}

/** Server clock − local clock from a KRB-ERROR's stime, in ms. */
export function serverSkewMs(a: AuthenticationEvidence): number | undefined {
  const st = a.kerberosError?.serverTime;
  if (!st || !a.observedAt) return undefined;
  return Date.parse(st) - Date.parse(a.observedAt);
}

const minutes = (ms: number) => `${(Math.abs(ms) / 60_000).toFixed(1)} min ${ms > 0 ? 'ahead' : 'behind'}`;

/** One evidence line for the exchange: what a browser would have met. */
export function exchangeLine(a: AuthenticationEvidence): string {
  const who = `${a.as ?? 'the probe identity'} → ${a.spn ?? 'the site'}`;
  const e = a.kerberosError;
  switch (a.outcome) {
    case 'authenticated': {
      const mutual = a.mutual === 'verified' ? 'mutual authentication verified' : a.mutual === 'failed' ? 'mutual authentication FAILED' : 'the server sent no token for mutual authentication';
      return `Kerberos exchange (${who}): authenticated — HTTP ${a.httpStatus}${a.user ? `, the server saw ${a.user}` : ''}, ${mutual}`;
    }
    case 'rejected': {
      if (!e) return `Kerberos exchange (${who}): ticket sent, HTTP 401 ${a.rejectToken === 'undecodable' ? 'with a reject token krbops could not decode' : 'without a reject token'}`;
      const skew = e.code === 37 ? serverSkewMs(a) : undefined;
      const kvno = a.ticket?.kvno !== undefined ? ` (ticket: ${a.ticket.etypeName}, kvno ${a.ticket.kvno})` : '';
      return `Kerberos exchange (${who}): ticket sent${kvno}, HTTP 401 with reject ${e.name} (${e.code}) from ${e.serverName ?? 'the server'}${e.serverTime ? `, server time ${e.serverTime}${skew !== undefined ? ` (${minutes(skew)})` : ''}` : ''}`;
    }
    case 'no-ticket':
      return `Kerberos exchange (${who}): the KDC refused the ticket — ${e ? `${e.name} (${e.code})` : 'no ticket'}; no token is sent, the 401 stays bare`;
    case 'not-offered':
      return `Kerberos exchange (${who}): nothing to exchange — HTTP ${a.httpStatus ?? '?'}${a.message ? `, ${a.message}` : ' without a Negotiate challenge'}`;
    case 'error':
      return `Kerberos exchange (${who}): could not complete — ${a.message ?? 'error'}`;
    default:
      return `Kerberos exchange: not attempted — ${a.reason ?? 'no reason given'}`;
  }
}

/** Which account's key the KDC encrypted the ticket with (the SPN holder per LDAP), as text. */
export function ticketKeyAccount(ev: Evidence, spn: string): string | undefined {
  const t = kdcTarget(ev, spn);
  if (t.kind !== 'one') return undefined;
  return t.holder.sAMAccountName;
}

/** The SPN for a command line, only when it is plainly an HTTP SPN of a DNS name (nothing for a shell to interpret). */
export function commandSafeSpn(spn: string | undefined): string | undefined {
  return spn && /^HTTP\/[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(spn) ? spn : undefined;
}

/** `klist get <spn>` (Windows): asks for the ticket and shows its key version and encryption type. */
export function klistGet(spn: string | undefined): string[] {
  const safe = commandSafeSpn(spn);
  return [safe ? klistWindows.get(safe) : klistWindows.tickets()];
}
