import http from "node:http";
import type { AddressInfo } from "node:net";
import type { LiFiStep, Token } from "@lifi/sdk";
import { type Address, type PublicClient, erc20Abi, getAddress, isAddress } from "viem";
import { z } from "zod";
import { uniswapArtifacts } from "../protocols/uniswapV3.js";
import {
  LIFI_ERROR_CODES,
  type LocalVenue,
  NO_REFERRER,
  type PoolQuote,
  type SwapRequest,
  buildRoute,
  buildStep,
  transactionIdFor,
} from "./lifiSteps.js";

/**
 * A local HTTP service speaking the LI.FI API shape (`GET /v1/quote`, `POST /v1/advanced/routes`,
 * `POST /v1/advanced/stepTransaction`) so `@lifi/sdk` runs unchanged with `apiUrl` pointed at it. Quotes
 * come from the real Uniswap v3 QuoterV2 on the local chain; calldata targets the LocalLiFiDiamond, which
 * swaps through the real SwapRouter.
 */

export interface LiFiQuoteServiceConfig {
  readonly client: PublicClient;
  readonly diamond: Address;
  readonly swapRouter: Address;
  readonly quoterV2: Address;
  /** Fee tiers tried for every pair; the best output wins. */
  readonly feeTiers?: readonly number[];
  /** Slippage fraction when the request sets none (LI.FI's default is 0.005). */
  readonly defaultSlippage?: number;
  /** Seconds from the latest block until the router call expires. */
  readonly deadlineSeconds?: bigint;
  readonly port?: number;
}

export interface LiFiQuoteService {
  /** Base URL to give `createClient({ apiUrl })`, e.g. `http://127.0.0.1:PORT/v1`. */
  readonly apiUrl: string;
  /** Every request served: method, path and HTTP status (for tests and logs). */
  readonly served: readonly { method: string; path: string; status: number }[];
  close(): Promise<void>;
}

/** A request the service refuses, with the LI.FI error code and HTTP status to answer with. */
class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const address = z
  .string()
  .refine(isAddress, "must be a 0x-prefixed 20-byte address")
  .transform((a) => getAddress(a));
const positiveAmount = z
  .string()
  .regex(/^[1-9][0-9]{0,77}$/, "must be a positive integer in base units")
  .transform((s) => BigInt(s));
const chainId = z.coerce.number().int().positive();
const slippage = z.coerce.number().gt(0).lt(0.5);

const quoteQuery = z.object({
  fromChain: chainId,
  toChain: chainId,
  fromToken: address,
  toToken: address,
  fromAmount: positiveAmount,
  fromAddress: address,
  toAddress: address.optional(),
  slippage: slippage.optional(),
  integrator: z.string().min(1).max(64).optional(),
  referrer: z.string().max(64).optional(),
});

const routesBody = z.object({
  fromChainId: chainId,
  toChainId: chainId,
  fromTokenAddress: address,
  toTokenAddress: address,
  fromAmount: positiveAmount,
  fromAddress: address,
  toAddress: address.optional(),
  options: z
    .object({
      slippage: slippage.optional(),
      integrator: z.string().min(1).max(64).optional(),
      referrer: z.string().max(64).optional(),
    })
    .optional(),
});

const stepBody = z.object({
  id: z.string(),
  integrator: z.string().min(1).max(64).optional(),
  referrer: z.string().max(64).optional(),
  action: z.object({
    fromChainId: chainId,
    toChainId: chainId,
    fromAmount: positiveAmount,
    fromToken: z.object({ address }),
    toToken: z.object({ address }),
    fromAddress: address,
    toAddress: address.optional(),
    slippage: slippage.optional(),
  }),
});

function describeZodError(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join(".") || "(body)"}: ${issue.message}`).join("; ");
}

function parseOrThrow<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (!result.success) throw new ApiError(400, LIFI_ERROR_CODES.validation, describeZodError(result.error));
  return result.data;
}

/** Starts the service on 127.0.0.1 (an ephemeral port unless `port` is given). */
export async function startLiFiQuoteService(config: LiFiQuoteServiceConfig): Promise<LiFiQuoteService> {
  const localChainId = await config.client.getChainId();
  const feeTiers = config.feeTiers ?? [500, 3000, 10000];
  const defaultSlippage = config.defaultSlippage ?? 0.005;
  const deadlineSeconds = config.deadlineSeconds ?? 1800n;
  const tokenCache = new Map<Address, Token>();
  const served: { method: string; path: string; status: number }[] = [];
  let sequence = 0;

  async function tokenInfo(token: Address): Promise<Token> {
    const cached = tokenCache.get(token);
    if (cached) return cached;
    const read = (functionName: "symbol" | "name" | "decimals") =>
      config.client.readContract({ address: token, abi: erc20Abi, functionName });
    let info: Token;
    try {
      const [symbol, name, decimals] = await Promise.all([read("symbol"), read("name"), read("decimals")]);
      info = {
        address: token,
        chainId: localChainId,
        symbol: String(symbol),
        name: String(name),
        decimals: Number(decimals),
        priceUSD: "0",
      };
    } catch {
      throw new ApiError(
        404,
        LIFI_ERROR_CODES.notFound,
        `token ${token} is not an ERC-20 on chain ${localChainId}`,
      );
    }
    tokenCache.set(token, info);
    return info;
  }

  async function bestPoolQuote(request: SwapRequest): Promise<PoolQuote> {
    let best: PoolQuote | undefined;
    for (const fee of feeTiers) {
      try {
        const { result } = await config.client.simulateContract({
          address: config.quoterV2,
          abi: uniswapArtifacts.quoterV2().abi,
          functionName: "quoteExactInputSingle",
          args: [
            {
              tokenIn: request.fromToken,
              tokenOut: request.toToken,
              amountIn: request.fromAmount,
              fee,
              sqrtPriceLimitX96: 0n,
            },
          ],
        });
        const [amountOut, , , gasEstimate] = result as readonly [bigint, bigint, number, bigint];
        if (!best || amountOut > best.amountOut) best = { fee, amountOut, gasEstimate };
      } catch {
        // No pool (or no liquidity) at this fee tier: try the next one.
      }
    }
    if (!best || best.amountOut === 0n) {
      throw new ApiError(
        404,
        LIFI_ERROR_CODES.noQuote,
        `no Uniswap v3 pool quotes ${request.fromToken} -> ${request.toToken} on chain ${localChainId}`,
      );
    }
    return best;
  }

  async function venue(): Promise<LocalVenue> {
    const [block, gasPrice] = await Promise.all([config.client.getBlock(), config.client.getGasPrice()]);
    return {
      diamond: config.diamond,
      swapRouter: config.swapRouter,
      deadline: block.timestamp + deadlineSeconds,
      gasPrice,
    };
  }

  function sameChain(request: SwapRequest, toChain: number): SwapRequest {
    if (request.chainId !== localChainId || toChain !== localChainId) {
      throw new ApiError(
        400,
        LIFI_ERROR_CODES.validation,
        `only same-chain swaps on chain ${localChainId} are served (got ${request.chainId} -> ${toChain})`,
      );
    }
    if (request.fromToken === request.toToken) {
      throw new ApiError(400, LIFI_ERROR_CODES.validation, "fromToken and toToken are the same");
    }
    return request;
  }

  async function quoteStep(request: SwapRequest, withTransaction: boolean, id?: string): Promise<LiFiStep> {
    const [quote, from, to, local] = await Promise.all([
      bestPoolQuote(request),
      tokenInfo(request.fromToken),
      tokenInfo(request.toToken),
      venue(),
    ]);
    sequence += 1;
    const transactionId = transactionIdFor(request, sequence);
    const step = buildStep(request, quote, { from, to }, local, transactionId, withTransaction);
    return id === undefined ? step : { ...step, id };
  }

  async function route(method: string, url: URL, body: unknown, integratorHeader: string | undefined) {
    const defaultIntegrator = integratorHeader ?? "local";
    if (method === "GET" && url.pathname === "/v1/quote") {
      const q = parseOrThrow(quoteQuery, Object.fromEntries(url.searchParams));
      const request = sameChain(
        {
          chainId: q.fromChain,
          fromToken: q.fromToken,
          toToken: q.toToken,
          fromAmount: q.fromAmount,
          fromAddress: q.fromAddress,
          toAddress: q.toAddress ?? q.fromAddress,
          slippage: q.slippage ?? defaultSlippage,
          integrator: q.integrator ?? defaultIntegrator,
          referrer: q.referrer ?? NO_REFERRER,
        },
        q.toChain,
      );
      return quoteStep(request, true);
    }
    if (method === "POST" && url.pathname === "/v1/advanced/routes") {
      const b = parseOrThrow(routesBody, body);
      const request = sameChain(
        {
          chainId: b.fromChainId,
          fromToken: b.fromTokenAddress,
          toToken: b.toTokenAddress,
          fromAmount: b.fromAmount,
          fromAddress: b.fromAddress,
          toAddress: b.toAddress ?? b.fromAddress,
          slippage: b.options?.slippage ?? defaultSlippage,
          integrator: b.options?.integrator ?? defaultIntegrator,
          referrer: b.options?.referrer ?? NO_REFERRER,
        },
        b.toChainId,
      );
      try {
        const step = await quoteStep(request, false);
        return { routes: [buildRoute(request, step)], unavailableRoutes: { filteredOut: [], failed: [] } };
      } catch (error) {
        if (!(error instanceof ApiError) || error.code !== LIFI_ERROR_CODES.noQuote) throw error;
        return {
          routes: [],
          unavailableRoutes: { filteredOut: [], failed: [{ overallPath: "uniswap", subpaths: {} }] },
        };
      }
    }
    if (method === "POST" && url.pathname === "/v1/advanced/stepTransaction") {
      const s = parseOrThrow(stepBody, body);
      const request = sameChain(
        {
          chainId: s.action.fromChainId,
          fromToken: s.action.fromToken.address,
          toToken: s.action.toToken.address,
          fromAmount: s.action.fromAmount,
          fromAddress: s.action.fromAddress,
          toAddress: s.action.toAddress ?? s.action.fromAddress,
          slippage: s.action.slippage ?? defaultSlippage,
          integrator: s.integrator ?? defaultIntegrator,
          referrer: s.referrer ?? NO_REFERRER,
        },
        s.action.toChainId,
      );
      return quoteStep(request, true, s.id);
    }
    throw new ApiError(404, LIFI_ERROR_CODES.notFound, `no route ${method} ${url.pathname}`);
  }

  const server = http.createServer((req, res) => {
    void (async () => {
      const method = req.method ?? "GET";
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      let status = 200;
      let payload: unknown;
      try {
        let raw = "";
        for await (const chunk of req) raw += chunk;
        let body: unknown;
        if (raw.length > 0) {
          try {
            body = JSON.parse(raw);
          } catch {
            throw new ApiError(400, LIFI_ERROR_CODES.validation, "request body is not valid JSON");
          }
        }
        const header = req.headers["x-lifi-integrator"];
        payload = await route(method, url, body, typeof header === "string" ? header : undefined);
      } catch (error) {
        const apiError =
          error instanceof ApiError
            ? error
            : new ApiError(
                500,
                LIFI_ERROR_CODES.server,
                error instanceof Error ? error.message : String(error),
              );
        status = apiError.status;
        payload = { message: apiError.message, code: apiError.code };
      }
      served.push({ method, path: url.pathname, status });
      res.statusCode = status;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(payload));
    })();
  });
  await new Promise<void>((resolve) => server.listen(config.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `http://127.0.0.1:${port}/v1`,
    served,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
