import http from "node:http";
import type { AddressInfo } from "node:net";

/** The part of an EIP-1193 provider the server needs. */
export interface RequestProvider {
  request(args: { method: string; params?: unknown[] | object }): Promise<unknown>;
}

interface JsonRpcRequest {
  jsonrpc?: string;
  id?: string | number | null;
  method?: unknown;
  params?: unknown;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;

async function answer(provider: RequestProvider, request: JsonRpcRequest): Promise<object> {
  const id = request.id ?? null;
  if (typeof request.method !== "string") {
    return {
      jsonrpc: "2.0",
      id,
      error: { code: -32600, message: "invalid request: method must be a string" },
    };
  }
  try {
    const params =
      Array.isArray(request.params) || typeof request.params === "object" ? request.params : undefined;
    const result = await provider.request({
      method: request.method,
      params: params as unknown[] | undefined,
    });
    return { jsonrpc: "2.0", id, result: result ?? null };
  } catch (error) {
    const e = error as { code?: number; message?: string; data?: unknown };
    return {
      jsonrpc: "2.0",
      id,
      error: { code: e.code ?? -32603, message: e.message ?? String(error), data: e.data },
    };
  }
}

/**
 * Serves an in-process EDR provider as an HTTP JSON-RPC endpoint on loopback, so wallets, scripts and
 * the keeper can connect to the embedded chain exactly as they would to a real node.
 */
export async function startRpcServer(
  provider: RequestProvider,
  options: { port?: number; hostname?: string } = {},
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    res.setHeader("access-control-allow-origin", "*");
    res.setHeader("access-control-allow-headers", "content-type");
    if (req.method === "OPTIONS") return void res.end();
    if (req.method !== "POST") {
      res.statusCode = 405;
      return void res.end("JSON-RPC over POST only");
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy();
      else chunks.push(chunk);
    });
    req.on("end", () => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        res.setHeader("content-type", "application/json");
        return void res.end(
          JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "parse error" } }),
        );
      }
      const batch = Array.isArray(parsed);
      const requests = (batch ? parsed : [parsed]) as JsonRpcRequest[];
      void Promise.all(requests.map((r) => answer(provider, r))).then((responses) => {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify(batch ? responses : responses[0]));
      });
    });
  });
  const hostname = options.hostname ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8545, hostname, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${hostname}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
