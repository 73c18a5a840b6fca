import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export const MB = 1024 * 1024;
/** Spaces: JSON whitespace after the answer, so only the body's size matters. */
const CHUNK = Buffer.alloc(64 * 1024, 0x20);

export interface PaddedServer {
  readonly url: string;
  /** Requests answered so far. */
  requests(): number;
  /** Bytes of the current answer written so far. */
  sent(): number;
  close(): Promise<void>;
}

/**
 * An HTTP server answering every request with `respond(requestBody).head`, padded with whitespace
 * to `total` bytes and written chunk by chunk with backpressure, so a 200 MB answer costs the test
 * process no memory: the client under test is the only one that could buffer it.
 */
export async function paddedServer(
  total: number,
  respond: (requestBody: string) => { head: string; headers?: Record<string, string> | undefined },
  urlPath = "/",
): Promise<PaddedServer> {
  let sent = 0;
  let requests = 0;
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      requests++;
      const { head, headers = {} } = respond(body);
      res.writeHead(200, { "content-type": "application/json", ...headers });
      res.write(head);
      sent = head.length;
      const pump = () => {
        while (sent < total) {
          const n = Math.min(CHUNK.length, total - sent);
          sent += n;
          if (!res.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n)))
            return void res.once("drain", pump);
        }
        res.end();
      };
      res.on("error", () => {});
      pump();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${urlPath}`,
    requests: () => requests,
    sent: () => sent,
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}
