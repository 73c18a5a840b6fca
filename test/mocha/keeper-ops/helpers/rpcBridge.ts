import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Eip1193Like } from "./faultyProvider.js";

/**
 * Serves an in-process EDR provider as JSON-RPC over HTTP on 127.0.0.1, so code that takes an RPC
 * URL (the CLI, the runtime) talks to the same local chain as the test.
 */
export async function rpcBridge(provider: Eip1193Like) {
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as
      | { id: number; method: string; params?: unknown[] }
      | { id: number; method: string; params?: unknown[] }[];
    const answer = async (call: { id: number; method: string; params?: unknown[] }) => {
      try {
        return {
          jsonrpc: "2.0",
          id: call.id,
          result: await provider.request({ method: call.method, params: call.params }),
        };
      } catch (error) {
        const e = error as { code?: number; message: string; data?: unknown };
        return {
          jsonrpc: "2.0",
          id: call.id,
          error: { code: e.code ?? -32603, message: e.message, data: e.data },
        };
      }
    };
    const out = Array.isArray(body) ? await Promise.all(body.map(answer)) : await answer(body);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(out, (_k, v: unknown) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}
