/**
 * Slack's side of bench/chat.ts, in a process of its own (forked by it): the local fake Slack Web
 * API (test/helpers/fake-slack-api.ts) and the load generator that sends signed slash commands,
 * `concurrency` at a time, and waits for each answer on its response_url. Nothing of it runs in the
 * bot's process, so the acknowledgement times measured here are the bot's.
 *
 * Messages from the parent: {cmd:'burst', eventsUrl, count, offset, concurrency, noWhy401} → answers
 * {acks, statuses, delivered, answers}; {cmd:'close'}. First message to the parent: {ready, apiUrl}.
 */
import { postSigned, slashCommandForm, startFakeSlackApi } from '../test/helpers/fake-slack-api.js';

export const SECRET = 'bench-signing-secret';
export const BOT = 'xoxb-bench';
const MIX = ['spn query HTTP/crm.contoso.test', 'spn list crmweb', 'krb explain KRB_AP_ERR_MODIFIED', 'spn query HTTP/ndcrmsrv1.contoso.test', 'spn list alice', 'krb explain 401.2', 'spn query MSSQLSvc/ndsqlsrv1.contoso.test:1433', 'spn list crmweb2', 'krb explain KDC_ERR_S_PRINCIPAL_UNKNOWN', 'krb why-401 http://crm.contoso.test/'];

export interface BurstRequest {
  cmd: 'burst';
  eventsUrl: string;
  count: number;
  offset: number;
  concurrency: number;
  /** The same mix without the why-401s (no Kerberos work), to tell their cost from the rest. */
  noWhy401: boolean;
}

export interface BurstResult {
  acks: number[];
  statuses: number[];
  delivered: number;
  /** ms from sending to the final card on the response_url, for every delivered answer. */
  answers: number[];
}

if (process.send) {
  const fake = await startFakeSlackApi({ botTokens: [BOT], users: { UONCALL: { email: 'oncall@contoso.test', name: 'oncall' } } });
  const WORKING = /Working on it…/;
  const answered = new Map<string, number>();
  const collect = () => {
    for (const r of fake.responses.splice(0)) if (!WORKING.test(JSON.stringify(r.body).slice(0, 400))) answered.set(r.id, r.at);
    fake.calls.splice(0);
  };

  const burst = async (req: BurstRequest): Promise<BurstResult> => {
    const mix = req.noWhy401 ? [...MIX.slice(0, -1), 'spn query HTTP/crm'] : MIX;
    const sent: { id: string; status: number; ackMs: number; sentAt: number }[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: req.concurrency }, async () => {
        for (let i = next++; i < req.count; i = next++) {
          const r = fake.newResponseUrl();
          const sentAt = Date.now();
          const res = await postSigned(req.eventsUrl, SECRET, slashCommandForm('/krb', mix[(i + req.offset) % mix.length]!, r.url));
          sent.push({ id: r.id, status: res.status, ackMs: res.ms, sentAt });
          if (sent.length % 100 === 0) collect();
        }
      }),
    );
    const t0 = Date.now();
    for (;;) {
      collect();
      if (sent.every((s) => answered.has(s.id)) || Date.now() - t0 > 120_000) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const done = sent.filter((s) => answered.has(s.id));
    const result = { acks: sent.map((s) => s.ackMs), statuses: sent.map((s) => s.status), delivered: done.length, answers: done.map((s) => answered.get(s.id)! - s.sentAt) };
    for (const s of sent) answered.delete(s.id);
    return result;
  };

  process.on('message', (m: BurstRequest | { cmd: 'close' }) => {
    if (m.cmd === 'close') {
      void fake.close().then(() => process.exit(0));
      return;
    }
    void burst(m).then((r) => process.send!(r));
  });
  process.send({ ready: true, apiUrl: fake.apiUrl });
}
