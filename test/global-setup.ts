/**
 * vitest globalSetup: ONE Samba AD lab per test run, started on first use.
 *
 * The lab lives in this (the main vitest) process. Test files ask for it with `labEnv()`
 * (test/helpers/lab-env.ts), which calls a small HTTP server on a unix socket here; the first call
 * starts the lab (~3 s), later calls get the same one. A run whose files never call labEnv() never
 * starts Samba. Teardown stops the lab by its PID.
 *
 * The tools are checked up front: in CI (CI=true) a missing Samba fails the run with a clear
 * message; locally, as root, the missing Debian packages are installed.
 */
import http from 'node:http';
import { existsSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureTools, startLab, type Lab, type LabInfo } from './lab/lab.js';
import { startWebLab, type WebLab, type WebLabInfo } from './lab/web.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Unix socket of the lab server (see test/helpers/lab-env.ts). */
    krbopsLabSocket: string;
  }
}

export type LabReply = { ok: true; info: LabInfo } | { ok: false; error: string };
export type WebLabReply = { ok: true; info: WebLabInfo } | { ok: false; error: string };

const log = (line: string) => {
  if (process.env.KRBOPS_LAB_VERBOSE) process.stderr.write(`${line}\n`);
};

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await ensureTools((l) => process.stderr.write(`[lab] ${l}\n`));

  const socket = path.join(tmpdir(), `krbops-lab-${process.pid}-${Date.now()}.sock`);
  let lab: Promise<Lab> | undefined;
  // The Kerberos web lab (test/lab/web.ts): its own DC plus Apache, started on the first /web-lab call.
  let webLab: Promise<WebLab> | undefined;
  const server = http.createServer((req, res) => {
    if (req.url === '/web-lab') {
      webLab ??= startWebLab({ log }).then((w) => {
        process.stderr.write(`[lab] Kerberos web lab up on ${w.lab.ip} in ${w.startMs} ms\n`);
        return w;
      });
      webLab.then(
        (w) => res.end(JSON.stringify({ ok: true, info: w.info() } satisfies WebLabReply)),
        (e: Error) => res.end(JSON.stringify({ ok: false, error: e.message } satisfies WebLabReply)),
      );
      return;
    }
    if (req.url !== '/lab') {
      res.writeHead(404).end();
      return;
    }
    lab ??= startLab({ log }).then((l) => {
      process.stderr.write(`[lab] Samba AD lab up on ${l.ip} in ${l.startMs} ms\n`);
      return l;
    });
    lab.then(
      (l) => res.end(JSON.stringify({ ok: true, info: l.info() } satisfies LabReply)),
      (e: Error) => res.end(JSON.stringify({ ok: false, error: e.message } satisfies LabReply)),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, resolve);
  });
  server.unref();
  project.provide('krbopsLabSocket', socket);

  return async () => {
    server.close();
    if (existsSync(socket)) unlinkSync(socket);
    const [started, web] = await Promise.all([lab?.catch(() => undefined), webLab?.catch(() => undefined)]);
    await Promise.all([started?.stop(), web?.stop()]);
  };
}
