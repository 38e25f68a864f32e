/**
 * The GSSAPI side of the SPNEGO probe, run in a child Node process (src/collectors/spnego.ts):
 * MIT krb5 reads KRB5CCNAME and KRB5_CONFIG from the environment, which is per process, so each
 * probe gets a process with its own private credential cache and configuration; a hung KDC or a
 * crashing addon is killed by the parent's timer without touching the bot.
 *
 * Protocol: one JSON object per line. Parent → child: {op:'init', module, service} then
 * {op:'finish', token}. Child → parent: {token} | {complete} | {error, stage}. No user text reaches
 * the command line: the code below is a constant, the request arrives on stdin.
 */
export const SPNEGO_CHILD_SOURCE = String.raw`
'use strict';
const send = (o) => process.stdout.write(JSON.stringify(o) + '\n');
let buf = '';
let client;
let k;
const handle = async (msg) => {
  if (msg.op === 'init') {
    try {
      k = require(msg.module);
    } catch (e) {
      send({ error: String((e && e.message) || e).split('\n')[0], stage: 'load' });
      return process.exit(0);
    }
    client = await k.initializeClient(msg.service, { mechOID: k.GSS_MECH_OID_SPNEGO, gssFlag: k.GSS_C_MUTUAL_FLAG | k.GSS_C_SEQUENCE_FLAG });
    send({ token: await client.step('') });
  } else if (msg.op === 'finish') {
    await client.step(msg.token);
    send({ complete: Boolean(client.contextComplete) });
    process.exit(0);
  }
};
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buf += chunk;
  let i;
  while ((i = buf.indexOf('\n')) >= 0) {
    const line = buf.slice(0, i);
    buf = buf.slice(i + 1);
    let msg;
    try {
      msg = JSON.parse(line);
    } catch (e) {
      send({ error: 'bad request line', stage: 'protocol' });
      process.exit(2);
    }
    handle(msg).catch((e) => {
      send({ error: String((e && e.message) || e), stage: msg.op });
      process.exit(0);
    });
  }
});
process.stdin.on('end', () => process.exit(0));
`;
