import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createPublicClient, http, type PublicClient } from "viem";
import type { Store } from "../../keeper/store/types.js";
import type { AllocationPolicy } from "../../keeper/strategy/policy.js";
import { checkChain, readAddressesFile, type Deployment, type DeploymentProblem } from "./deployment.js";
import { HistoryIndexer } from "./history.js";
import { ProposalService, RequestError } from "./proposals.js";
import { type SignalsNow, StrategyService } from "./strategy.js";
import { CopilotService, type KeeperPlanning } from "./copilot.js";
import { NavBacktests } from "./navBacktest.js";

/**
 * The dashboard's server: the built page (dashboard/dist), a JSON-RPC pass-through at /rpc (the
 * page's chain reads, counted), and a JSON API over the keeper's store and the chain (history,
 * proposals, policy, signals) and the keeper's HTTP API. It holds no key; the only writes it
 * accepts are signatures and rejections made by a gate signer's wallet, checked before they are stored.
 */

export const DIST_DIR = fileURLToPath(new URL("../dist", import.meta.url));

export interface DashboardServerOptions {
  readonly rpcUrl: string;
  readonly addressesFile: string;
  /** the keeper's store (in process, or opened by the caller); a string explains why there is none */
  readonly store: Store | string;
  /** base URL of the keeper's HTTP API (…/status, …/health, …/metrics) */
  readonly keeperUrl?: string;
  /**
   * Bearer token of the keeper's `POST /proposals/<id>/sign`; with it the operator view offers
   * "sign with the keeper's signer" (forwarded, the keeper checks before it signs). Never logged.
   */
  readonly keeperToken?: string;
  readonly signals?: SignalsNow;
  readonly keeperPolicy?: AllocationPolicy;
  /**
   * The keeper's planning parts (planner, readings, policy) and its proposals' lifetime: the
   * copilot's one-click proposals and the strategist's "batch it would propose now" plan with them.
   */
  readonly planning?: { readonly parts: KeeperPlanning; readonly proposalTtlSeconds: number };
  /**
   * Epochs of the strategist's NAV replay through the real keeper (scripts/policy-backtest.ts);
   * default 7 (56 recorded hours); 0 turns it off.
   */
  readonly navBacktestEpochs?: number;
  readonly port?: number;
  readonly host?: string;
  readonly distDir?: string;
}

export interface DashboardServer {
  readonly url: string;
  /** JSON-RPC calls made so far: by the page through /rpc, and by this server itself */
  rpcCalls(): { readonly page: number; readonly server: number };
  /** Why the deployment is not shown (as the page says it), or undefined once it is. */
  problem(): DeploymentProblem | undefined;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;
const MIME: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
};

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new RequestError(413, "request body over 1 MiB");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

async function jsonBody(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  try {
    return JSON.parse(text);
  } catch {
    throw new RequestError(400, "the request body is not JSON");
  }
}

export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const distDir = options.distDir ?? DIST_DIR;
  const counts = { page: 0, server: 0 };
  const client = createPublicClient({
    transport: http(options.rpcUrl, {
      retryCount: 0,
      onFetchRequest: () => {
        counts.server++;
      },
    }),
    cacheTime: 0,
  }) as PublicClient;
  const navEpochs = options.navBacktestEpochs ?? 7;
  const navProblem = navEpochs > 0 ? NavBacktests.problem() : "turned off (navBacktestEpochs 0)";
  const navBacktests = navProblem ? undefined : new NavBacktests(navEpochs);
  const store = typeof options.store === "string" ? undefined : options.store;
  const storeProblem = typeof options.store === "string" ? options.store : undefined;

  // The deployment is (re)checked until it is sound, so starting the chain after the dashboard works.
  let deployment: Deployment | undefined;
  let problem: string | undefined;
  let problemKind: DeploymentProblem["kind"] = "waiting";
  let services:
    | {
        history: HistoryIndexer;
        proposals?: ProposalService;
        strategy: StrategyService;
        copilot?: CopilotService;
      }
    | undefined;
  const check = async () => {
    if (deployment) return;
    const read = await readAddressesFile(options.addressesFile);
    if (!read.ok) {
      problemKind = "lasting";
      return void (problem = read.problem);
    }
    const chain = await checkChain(client, options.rpcUrl, read.deployment);
    if (!chain.ok) {
      problemKind = chain.kind;
      return void (problem = chain.problem);
    }
    problem = undefined;
    deployment = { ...read.deployment, shareDecimals: chain.shareDecimals };
    const copilot =
      store && options.planning && options.signals
        ? new CopilotService({
            client,
            store,
            deployment,
            planning: options.planning.parts,
            signals: options.signals,
            proposalTtlSeconds: options.planning.proposalTtlSeconds,
          })
        : undefined;
    services = {
      ...(copilot ? { copilot } : {}),
      history: new HistoryIndexer(
        client,
        deployment,
        () => store,
        () => storeProblem,
      ),
      ...(store ? { proposals: new ProposalService(client, store, deployment) } : {}),
      strategy: new StrategyService({
        connectorNames: Object.keys(deployment.connectors),
        ...(options.signals ? { signals: options.signals } : {}),
        ...(options.keeperPolicy ? { keeperPolicy: options.keeperPolicy } : {}),
        ...(copilot ? { preview: (policy: AllocationPolicy) => copilot.preview(policy) } : {}),
        store: () => store,
      }),
    };
  };
  const warm = () => {
    // the history index is built as soon as the deployment is known, so the first page to ask for
    // it finds it ready (later requests catch up only the new blocks); a failure is the next request's
    if (services) void services.history.history().catch(() => undefined);
  };
  const need = () => {
    if (!services) throw new RequestError(503, problem ?? "the deployment is not checked yet");
    return services;
  };
  const needCopilot = () => {
    const s = need();
    if (!s.copilot)
      throw new RequestError(
        503,
        store
          ? "no keeper planning parts: the copilot proposes only next to the keeper (npm start)"
          : `no keeper store: ${storeProblem ?? "none given"}`,
      );
    return s.copilot;
  };
  const needProposals = () => {
    const s = need();
    if (!s.proposals) throw new RequestError(503, `no keeper store: ${storeProblem ?? "none given"}`);
    return s.proposals;
  };

  const api = async (req: IncomingMessage, res: ServerResponse, route: string): Promise<void> => {
    if (route === "/api/config") {
      const before = deployment;
      await check();
      if (!before && deployment) warm();
      return json(res, 200, {
        ok: deployment !== undefined,
        problem: problem ?? null,
        deployment: deployment ?? null,
        store: store ? { ok: true } : { ok: false, problem: storeProblem },
        keeper: options.keeperUrl
          ? { url: options.keeperUrl, canSign: options.keeperToken !== undefined }
          : null,
        copilot: services?.copilot !== undefined,
      });
    }
    if (route === "/api/rpc-calls") return json(res, 200, counts);
    if (route === "/api/history") return json(res, 200, await need().history.history());
    if (route === "/api/proposals") return json(res, 200, await needProposals().list());
    if (route === "/api/copilot/draft") {
      if (req.method !== "POST") throw new RequestError(405, "POST to draft the recommendation's proposal");
      return json(res, 200, await needCopilot().draft());
    }
    const draft = /^\/api\/copilot\/drafts\/([^/]+)\/propose$/.exec(route);
    if (draft) {
      if (req.method !== "POST") throw new RequestError(405, "POST the wallet's signature");
      return json(res, 200, await needCopilot().propose(draft[1]!, await jsonBody(req)));
    }
    const proposal = /^\/api\/proposals\/(0x[0-9a-fA-F]+)(\/signatures|\/reject|\/keeper-sign)?$/.exec(route);
    if (proposal) {
      const [, id, action] = proposal;
      if (!action) return json(res, 200, await needProposals().detail(id!));
      if (req.method !== "POST") throw new RequestError(405, "POST only");
      if (action === "/keeper-sign") return keeperSign(res, id!);
      const body = await jsonBody(req);
      return json(
        res,
        200,
        action === "/signatures"
          ? await needProposals().addSignature(id!, body)
          : await needProposals().reject(id!, body),
      );
    }
    if (route === "/api/policy") {
      if (req.method !== "POST") throw new RequestError(405, "POST the policy file's text");
      return json(res, 200, await need().strategy.policy(await readBody(req)));
    }
    if (route === "/api/policy/nav-backtest") {
      if (req.method !== "POST") throw new RequestError(405, "POST the policy file's text");
      const parsed = need().strategy.parse(await readBody(req));
      if (!parsed.ok)
        throw new RequestError(
          400,
          `the policy is not valid: ${parsed.errors[0]!.path}: ${parsed.errors[0]!.message}`,
        );
      if (!navBacktests) return json(res, 200, { available: false, reason: navProblem });
      return json(res, 200, navBacktests.request(parsed.policy));
    }
    const navKey = /^\/api\/policy\/nav-backtest\/([0-9a-f]{16})$/.exec(route);
    if (navKey) {
      const state = navBacktests?.state(navKey[1]!);
      if (!state) throw new RequestError(404, `no NAV backtest ${navKey[1]}: POST the policy first`);
      return json(res, 200, state);
    }
    if (route === "/api/signals") return json(res, 200, await need().strategy.signals());
    const keeper = /^\/api\/keeper\/(status|health|metrics)$/.exec(route);
    if (keeper) {
      if (!options.keeperUrl) throw new RequestError(503, "no keeper HTTP API given (--keeper-url)");
      let answer: Response;
      try {
        answer = await fetch(`${options.keeperUrl}/${keeper[1]}`);
      } catch (error) {
        throw new RequestError(
          502,
          `the keeper at ${options.keeperUrl} does not answer: ${(error as Error).message}`,
        );
      }
      const text = await answer.text();
      res.writeHead(answer.status === 503 ? 200 : answer.status, {
        "content-type": answer.headers.get("content-type") ?? "text/plain",
        "cache-control": "no-store",
      });
      return void res.end(text);
    }
    throw new RequestError(404, `no API route ${route}`);
  };

  /** Asks the keeper to sign `id` (its HTTP API, with the bearer token); the keeper's answer is passed on. */
  const keeperSign = async (res: ServerResponse, id: string): Promise<void> => {
    needProposals();
    if (!options.keeperUrl) throw new RequestError(503, "no keeper HTTP API given (--keeper-url)");
    if (!options.keeperToken)
      throw new RequestError(
        503,
        "no keeper API token given (DASHBOARD_KEEPER_TOKEN): the keeper cannot be asked to sign",
      );
    let answer: Response;
    try {
      answer = await fetch(`${options.keeperUrl}/proposals/${id}/sign`, {
        method: "POST",
        headers: { authorization: `Bearer ${options.keeperToken}` },
      });
    } catch (error) {
      throw new RequestError(
        502,
        `the keeper at ${options.keeperUrl} does not answer: ${(error as Error).message}`,
      );
    }
    const body = (await answer.json().catch(() => ({}))) as { error?: string };
    if (!answer.ok)
      throw new RequestError(
        answer.status === 401 ? 502 : answer.status,
        answer.status === 401
          ? "the keeper refused the dashboard's API token (401): check DASHBOARD_KEEPER_TOKEN against its KEEPER_HTTP__API_TOKEN"
          : `the keeper refused to sign: ${body.error ?? `HTTP ${answer.status}`}`,
      );
    json(res, 200, body);
  };

  /** The page's JSON-RPC reads, passed through unchanged and counted (a batch counts each call). */
  const rpc = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    try {
      const parsed = JSON.parse(body) as unknown;
      counts.page += Array.isArray(parsed) ? parsed.length : 1;
    } catch {
      throw new RequestError(400, "JSON-RPC body is not JSON");
    }
    let answer: Response;
    try {
      answer = await fetch(options.rpcUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
    } catch (error) {
      throw new RequestError(502, `the RPC ${options.rpcUrl} does not answer: ${(error as Error).message}`);
    }
    res.writeHead(answer.status, { "content-type": "application/json" });
    res.end(await answer.text());
  };

  const page = (res: ServerResponse, route: string): void => {
    const file = path.join(
      distDir,
      route === "/" ? "index.html" : path.normalize(route).replace(/^(\.\.[/\\])+/, ""),
    );
    const inside = file.startsWith(distDir) && existsSync(file) && statSync(file).isFile();
    const target = inside ? file : path.join(distDir, "index.html");
    if (!existsSync(target)) {
      res.writeHead(500, { "content-type": "text/plain" });
      return void res.end(`the dashboard is not built: run npm run dashboard:build (looked in ${distDir})`);
    }
    res.writeHead(200, { "content-type": MIME[path.extname(target)] ?? "application/octet-stream" });
    createReadStream(target).pipe(res);
  };

  const server = createServer((req, res) => {
    const route = new URL(req.url ?? "/", "http://localhost").pathname;
    const run = async () => {
      if (route === "/rpc") return rpc(req, res);
      if (route.startsWith("/api/")) return api(req, res, route);
      return page(res, route);
    };
    run().catch((error: unknown) => {
      const status = error instanceof RequestError ? error.status : 500;
      if (!res.headersSent) json(res, status, { error: (error as Error).message.split("\n")[0] });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const bound = server.address() as AddressInfo;
  await check();
  warm();
  return {
    url: `http://${bound.address}:${bound.port}/`,
    rpcCalls: () => ({ ...counts }),
    problem: () => (problem === undefined ? undefined : { problem, kind: problemKind }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
