import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { silentLogger, type Logger } from "../log/logger.js";
import { redact } from "../log/redact.js";
import type { MetricsRegistry } from "./metrics.js";

export interface HealthReport {
  readonly ok: boolean;
  /** Why it is not ok, one named reason each. */
  readonly reasons?: readonly string[];
  readonly checks: Record<string, unknown>;
}

export interface StatusServerOptions {
  readonly metrics: MetricsRegistry;
  readonly health: () => Promise<HealthReport>;
  readonly status: () => Promise<unknown>;
  readonly logger?: Logger;
}

export interface StatusServer {
  readonly server: Server;
  /** Listens (port 0 = any free port) and returns the bound address. */
  listen(port: number, host: string): Promise<AddressInfo>;
  close(): Promise<void>;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(redact(body));
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(text);
}

/**
 * Read-only operator endpoints: `GET /health` (200 or 503), `GET /status` (JSON), `GET /metrics`
 * (Prometheus text). Handler failures answer 500 and are logged; they never stop the server.
 */
export function createStatusServer(options: StatusServerOptions): StatusServer {
  const logger = options.logger ?? silentLogger;
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD");
      return json(res, 405, { error: `method ${req.method} not allowed` });
    }
    if (path === "/health") {
      const report = await options.health();
      return json(res, report.ok ? 200 : 503, {
        status: report.ok ? "ok" : "unhealthy",
        reasons: report.reasons ?? [],
        checks: report.checks,
      });
    }
    if (path === "/status") return json(res, 200, await options.status());
    if (path === "/metrics") {
      const text = await options.metrics.render();
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
      return res.end(text);
    }
    return json(res, 404, { error: `no route ${path}`, routes: ["/health", "/status", "/metrics"] });
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error("http handler failed", { path: req.url, error });
      if (!res.headersSent) json(res, 500, { error: "internal error" });
      else res.end();
    });
  });
  return {
    server,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve(server.address() as AddressInfo);
        });
      }),
    close: () =>
      new Promise((resolve, reject) => {
        if (!server.listening) return resolve();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
