import { createHash, timingSafeEqual } from "node:crypto";
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
  /**
   * `POST /proposals/<id>/sign` with `Authorization: Bearer <token>`: the keeper signs the proposal
   * after the workflow's own checks (integrity, nonce, deadline, simulation, risk check). Absent:
   * the route answers 404 and the server stays read-only.
   */
  readonly sign?: {
    readonly token: string;
    readonly sign: (proposalId: `0x${string}`) => Promise<unknown>;
  };
  readonly logger?: Logger;
}

/** Thrown by a `sign` callback for a proposal the keeper refuses to sign (answered 409 with the reason). */
export class SignRefusedError extends Error {
  override name = "SignRefusedError";
}

export interface StatusServer {
  readonly server: Server;
  /** Listens (port 0 = any free port) and returns the bound address. */
  listen(port: number, host: string): Promise<AddressInfo>;
  close(): Promise<void>;
}

/** Compares the request's bearer token with the configured one in constant time (over equal-length digests). */
function bearerMatches(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? "";
  const given = /^Bearer (.+)$/.exec(header)?.[1] ?? "";
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(given), digest(token)) && given.length > 0;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(redact(body));
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(text);
}

/**
 * Operator endpoints: `GET /health` (200 or 503), `GET /status` (JSON), `GET /metrics` (Prometheus
 * text), and, only with a token configured, `POST /proposals/<id>/sign`. Handler failures answer
 * 500 and are logged; they never stop the server.
 */
export function createStatusServer(options: StatusServerOptions): StatusServer {
  const logger = options.logger ?? silentLogger;
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const signRoute = /^\/proposals\/([^/]+)\/sign$/.exec(path);
    if (signRoute) return signProposal(req, res, signRoute[1]!);
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
  const signProposal = async (req: IncomingMessage, res: ServerResponse, id: string) => {
    if (!options.sign)
      return json(res, 404, {
        error: "signing over HTTP is off: set KEEPER_HTTP__API_TOKEN to turn it on",
      });
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      return json(res, 405, { error: `method ${req.method} not allowed; POST to sign` });
    }
    if (!bearerMatches(req, options.sign.token)) {
      res.setHeader("www-authenticate", 'Bearer realm="keeper"');
      logger.warn("sign request refused: missing or wrong bearer token", { proposalId: id });
      return json(res, 401, { error: "a valid bearer token is required to make the keeper sign" });
    }
    if (!/^0x[0-9a-fA-F]{64}$/.test(id))
      return json(res, 400, { error: `a proposal id is 32 bytes of hex, got ${id}` });
    try {
      return json(res, 200, await options.sign.sign(id as `0x${string}`));
    } catch (error) {
      if (!(error instanceof SignRefusedError)) throw error;
      logger.info("sign request refused by the keeper's checks", { proposalId: id, reason: error.message });
      return json(res, 409, { error: error.message });
    }
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
