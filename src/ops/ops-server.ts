/**
 * /healthz, /readyz and /metrics on a port of their own, for processes without an HTTP API (the worker
 * and the bots). Plain node:http: three GET routes need no framework.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { type ReadinessCheck, readiness } from './health.js';
import type { Metrics } from './metrics.js';

export interface OpsResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** The answer to an ops path, or null when the path is not one of ours. Shared with the API server. */
export async function opsResponse(
  path: string,
  checks: readonly ReadinessCheck[],
  metrics: Metrics | null,
): Promise<OpsResponse | null> {
  const json = 'application/json; charset=utf-8';
  switch (path) {
    case '/healthz':
      return { status: 200, contentType: json, body: JSON.stringify({ status: 'ok' }) };
    case '/readyz': {
      const r = await readiness(checks);
      return {
        status: r.ready ? 200 : 503,
        contentType: json,
        body: JSON.stringify({ status: r.ready ? 'ready' : 'not ready', checks: r.checks }),
      };
    }
    case '/metrics': {
      if (!metrics) return null;
      const { contentType, body } = await metrics.render();
      return { status: 200, contentType, body };
    }
    default:
      return null;
  }
}

export interface OpsServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startOpsServer(options: {
  readonly host: string;
  readonly port: number;
  readonly checks: readonly ReadinessCheck[];
  readonly metrics: Metrics | null;
}): Promise<OpsServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const send = (r: OpsResponse) => {
      res.writeHead(r.status, { 'content-type': r.contentType }).end(r.body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send({ status: 405, contentType: 'text/plain', body: 'method not allowed\n' });
      return;
    }
    opsResponse(path, options.checks, options.metrics).then(
      (r) => {
        send(r ?? { status: 404, contentType: 'text/plain', body: 'not found\n' });
      },
      () => {
        send({ status: 500, contentType: 'text/plain', body: 'internal error\n' });
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve, reject) => {
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
        server.closeAllConnections();
      }),
  };
}
