import { expect } from "chai";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createPublicClient, ResponseBodyTooLargeError } from "viem";
import { withRetry } from "../../../keeper/chain/retry.js";
import { DEFAULT_MAX_RPC_RESPONSE_BYTES, rpcTransport } from "../../../keeper/chain/transport.js";
import { loadConfig } from "../../../keeper/config/load.js";
import { silentLogger } from "../../../keeper/log/logger.js";
import { createRuntime } from "../../../keeper/service/runtime.js";
import { MB, paddedServer } from "../helpers/paddedServer.js";

// A JSON-RPC node (or something posing as one) answering with an enormous body must not take the
// keeper's memory with it: the keeper's transport streams the body and stops at
// `chain.maxResponseBytes` (8 MiB by default), with a clear error that is not retried.

/** A JSON-RPC server: every call is answered with `result` and then padded to `total` bytes. */
const rpcServer = (total: number, result: string) =>
  paddedServer(total, (body) => {
    const { id } = JSON.parse(body) as { id: number };
    return { head: JSON.stringify({ jsonrpc: "2.0", id, result }) };
  });

describe("keeper/chain: JSON-RPC response bodies are capped and streamed", function () {
  it("a 200 MB answer is cut off at the cap, not retried, and memory grows by less than 64 MB", async function () {
    this.timeout(60_000);
    const server = await rpcServer(200 * MB, "0x1");
    const client = createPublicClient({ transport: rpcTransport(server.url, { timeoutMs: 30_000 }) });
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    let error: unknown;
    try {
      await withRetry("eth_blockNumber", () => client.getBlockNumber({ cacheTime: 0 }), {
        maxRetries: 3,
        baseDelayMs: 1,
        maxDelayMs: 1,
        rpcTimeoutMs: 30_000,
      }).catch((e: unknown) => (error = e));
    } finally {
      clearInterval(sampler);
      await server.close();
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    const tooLarge = (error as { walk?: (fn: (e: unknown) => boolean) => unknown }).walk?.(
      (e) => e instanceof ResponseBodyTooLargeError,
    ) as ResponseBodyTooLargeError | undefined;
    expect(tooLarge, `error: ${String(error)}`).to.be.instanceOf(ResponseBodyTooLargeError);
    expect(tooLarge!.maxSize).to.equal(DEFAULT_MAX_RPC_RESPONSE_BYTES);
    expect(String(error)).to.include("HTTP response body exceeded the size limit");
    expect(server.requests()).to.equal(1, "a refused body is not asked for again");
    expect(peak - before).to.be.below(64 * MB, `rss grew ${((peak - before) / MB).toFixed(1)} MB`);
    expect(server.sent()).to.be.below(200 * MB, "the rest of the body was never pulled");
  });

  it("chain.maxResponseBytes sets the cap the keeper runs with; a body under it is read", async function () {
    const server = await rpcServer(2 * MB, "0x7a69");
    const dir = mkdtempSync(path.join(tmpdir(), "keeper-rpc-cap-"));
    const config = (maxResponseBytes: number) => {
      const file = path.join(dir, `keeper-${maxResponseBytes}.json`);
      writeFileSync(
        file,
        JSON.stringify({
          operator: { id: "op-1" },
          chain: { rpcUrl: server.url, chainId: 31337, maxResponseBytes },
          store: { path: ":memory:" },
          gate: {
            address: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
            vault: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
            threshold: 1,
            signers: ["0x70997970C51812dc3A010C7d01b50e0d17dc79C8"],
          },
        }),
      );
      return loadConfig({ file, env: {} });
    };
    try {
      // 1 MiB: the 2 MB answer to the runtime's first call (eth_chainId) is refused, nothing opened.
      const refused = await createRuntime(config(MB), {
        env: {},
        logger: silentLogger,
        needsSigner: false,
      }).catch((e: unknown) => e);
      expect(refused).to.be.instanceOf(Error);
      expect(String(refused)).to.include("HTTP response body exceeded the size limit");
      expect(String(refused)).to.include(`Max: ${MB} bytes`);
      // 8 MiB: the same answer is read; the runtime gets past its chain id check and starts.
      const rt = await createRuntime(config(8 * MB), { env: {}, logger: silentLogger, needsSigner: false });
      expect(await rt.client.getChainId()).to.equal(31337);
      await rt.close();
    } finally {
      await server.close();
    }
  });
});
