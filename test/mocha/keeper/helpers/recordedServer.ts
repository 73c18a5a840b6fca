import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

/** Recorded data lives next to the repo: `../shared/data` resolved from the repo root. */
export const DATA_DIR = path.resolve(process.cwd(), "../shared/data");

export function readRecorded(relative: string): unknown {
  return JSON.parse(readFileSync(path.join(DATA_DIR, relative), "utf8"));
}

/** What the server answers for one request: a JSON body, a status with a body, or a delay before answering. */
export type Route = (
  url: URL,
  request: IncomingMessage,
) => { status?: number; body: unknown; delayMs?: number; raw?: string };

export interface RecordedServer {
  readonly baseUrl: string;
  readonly hits: string[];
  close(): Promise<void>;
}

/** A local HTTP server on 127.0.0.1 and a free port, answering from `routes` keyed by pathname. */
export async function startRecordedServer(routes: Record<string, Route>): Promise<RecordedServer> {
  const hits: string[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    hits.push(url.pathname + url.search);
    const route = routes[url.pathname];
    if (!route) {
      response.writeHead(404, { "content-type": "application/json" });
      response.end('{"error":"not found"}');
      return;
    }
    const answer = route(url, request);
    const send = () => {
      if (response.destroyed) return;
      response.writeHead(answer.status ?? 200, { "content-type": "application/json" });
      response.end(answer.raw ?? JSON.stringify(answer.body));
    };
    if (answer.delayMs) setTimeout(send, answer.delayMs);
    else send();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
