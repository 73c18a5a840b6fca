import { expect } from "chai";
import { read } from "../../../deploy/lib/artifacts.js";
import { deployLocalProtocols } from "../../../deploy/local/protocols.js";
import { startRpcServer } from "../../../deploy/local/rpcServer.js";
import { aaveArtifacts } from "../../../deploy/protocols/aaveV3.js";
import { uniswapArtifacts } from "../../../deploy/protocols/uniswapV3.js";
import { localChain } from "../helpers/chain.js";

const { connection, deployer } = await localChain();

describe("Local stack (npm start)", function () {
  it("deploys every real protocol with seeded liquidity", async function () {
    const stack = await deployLocalProtocols(deployer);
    const poolAbi = uniswapArtifacts.pool().abi;
    for (const pool of [stack.uniswap.usdcWethPool, stack.uniswap.usdcUsdtPool]) {
      expect(
        await read<bigint>(deployer, { address: pool, abi: poolAbi, functionName: "liquidity" }),
      ).to.be.greaterThan(0n);
    }
    const reserves = await read<readonly string[]>(deployer, {
      address: stack.aave.pool,
      abi: aaveArtifacts.poolAbi(),
      functionName: "getReservesList",
    });
    expect(reserves).to.have.length(3);
  });

  it("serves the embedded chain as JSON-RPC on loopback, batches included", async function () {
    const rpc = await startRpcServer(connection.provider, { port: 0 });
    try {
      const response = await fetch(rpc.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify([
          { jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] },
          { jsonrpc: "2.0", id: 2, method: "no_suchMethod", params: [] },
        ]),
      });
      const [chainId, unknown] = (await response.json()) as [{ result: string }, { error: { code: number } }];
      expect(chainId.result).to.equal("0x7a69");
      expect(unknown.error.code).to.be.a("number");
      const garbage = await fetch(rpc.url, { method: "POST", body: "{not json" });
      expect(((await garbage.json()) as { error: { code: number } }).error.code).to.equal(-32700);
    } finally {
      await rpc.close();
    }
  });
});
