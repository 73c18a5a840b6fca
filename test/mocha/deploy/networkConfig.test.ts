import { execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { promisify } from "node:util";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import { type Address, getAddress, parseUnits } from "viem";
import { projectArtifact, read } from "../../../deploy/lib/artifacts.js";
import {
  type NetworkConfig,
  parseNetworkConfig,
  readNetworkConfig,
} from "../../../deploy/networks/schema.js";
import { advanceTime, safeGovernance } from "../../../deploy/product/core.js";
import {
  deployToNetwork,
  planDeployment,
  twapCardinalityFor,
} from "../../../deploy/product/deployToNetwork.js";
import { keeperGateArtifact } from "../../../deploy/product/gate.js";
import { tryValueOf } from "../../../deploy/product/oracle.js";
import { refreshFeeds } from "../../../deploy/product/stack.js";
import { safeArtifacts } from "../../../deploy/protocols/safe.js";
import { uniswapArtifacts } from "../../../deploy/protocols/uniswapV3.js";
import { localChain } from "../helpers/chain.js";
import { startRpcServer } from "../../../deploy/local/rpcServer.js";
import { deployMain } from "../../../scripts/deploy.js";
import { mnemonicToAccount } from "viem/accounts";
import { toHex } from "viem";
import { localCanonicalFork } from "../../../deploy/local/canonical.js";

// Attack classes covered (../shared/research/attack-classes.md): AC21 (governance ends with the
// Safe-proposed timelock), AC17 (the deployment sets the keeper allowlist only), AC19 (the oracle is
// wired to the canonical Chainlink feeds with their heartbeats).

const NETWORKS = ["ethereum", "arbitrum", "base"] as const;
const configFile = (name: string) => `deploy/networks/${name}.json`;
const { clientsFor, deployer, connection } = await localChain();
/** the canonical config as placed on this chain by the deployment test, reused by the CLI test */
let placed: { config: NetworkConfig; morphoMarket: unknown } | undefined;
const me = deployer.wallet.account.address;

/** The JSON shape the schema test mutates. */
interface MutableConfig {
  lifiDiamond: string;
  chainlink: Record<string, { heartbeatSeconds: number }>;
  aaveV3: { pool: string };
  extra?: number;
}

describe("Network configs and the production deployment module", function () {
  it("every checked-in network config passes the schema (checksummed addresses, required fields)", async function () {
    for (const name of NETWORKS) {
      const config = await readNetworkConfig(configFile(name));
      expect(config.name).to.equal(name);
      expect(config.tokens.USDC.decimals).to.equal(6);
      expect(Object.keys(config.chainlink)).to.have.members(["USDC/USD", "USDT/USD", "ETH/USD"]);
      // L2s need a sequencer-uptime feed, L1 has none
      expect(config.sequencerUptimeFeed === null).to.equal(name === "ethereum");
    }
  });

  it("the schema names the bad field: unchecksummed address, missing feed, bad heartbeat", async function () {
    const good = JSON.parse(await readFile(configFile("ethereum"), "utf8")) as MutableConfig;
    const variants: [string, (c: MutableConfig) => void, RegExp][] = [
      [
        "lower-case address",
        (c) => (c.lifiDiamond = c.lifiDiamond.toLowerCase()),
        /lifiDiamond: address is not EIP-55 checksummed/,
      ],
      ["missing feed", (c) => delete c.chainlink["ETH/USD"], /chainlink\.ETH\/USD/],
      [
        "zero heartbeat",
        (c) => (c.chainlink["USDC/USD"]!.heartbeatSeconds = 0),
        /chainlink\.USDC\/USD\.heartbeatSeconds/,
      ],
      ["not an address", (c) => (c.aaveV3.pool = "0x1234"), /aaveV3\.pool: not a 20-byte hex address/],
      ["unknown key", (c) => (c.extra = 1), /extra|Unrecognized/],
    ];
    for (const [label, mutate, message] of variants) {
      const copy = structuredClone(good);
      mutate(copy);
      expect(() => parseNetworkConfig(copy, "ethereum.json"), label).to.throw(message);
    }
  });

  it("[AC21 governance] deploys the product against the canonical Ethereum addresses, wired to them", async function () {
    const canonical = await readNetworkConfig(configFile("ethereum"));
    const { config, morphoMarket } = await localCanonicalFork(deployer, canonical);
    const owners = [clientsFor(1), clientsFor(2), clientsFor(3)];
    const operators = [4, 5, 6].map((i) => clientsFor(i).wallet.account.address);
    const params = {
      safeOwners: owners.map((o) => o.wallet.account.address),
      safeThreshold: 2n,
      operators,
      gateThreshold: 2n,
      guardian: clientsFor(7).wallet.account.address,
      timelockDelay: 86_400n,
      morphoMarket,
    };
    placed = { config, morphoMarket };
    expect(planDeployment(config, params).externals["Uniswap v3 factory"]).to.equal(
      canonical.uniswapV3.factory,
    );
    const steps: string[] = [];
    const deployment = await deployToNetwork(deployer, config, params, {
      onStep: (s) => steps.push(s),
      governance: (safe, timelock) =>
        safeGovernance(
          deployer,
          safe,
          [owners[0]!.wallet, owners[1]!.wallet],
          timelock,
          params.timelockDelay,
        ),
    });
    expect(steps.length).to.be.greaterThan(3);

    const at = (address: Address, contract: string, functionName: string, args: readonly unknown[] = []) =>
      read<unknown>(deployer, { address, abi: projectArtifact(contract).abi, functionName, args });
    // governance: the timelock accepted the Registry; the Safe (2-of-3) is its proposer; the deployer has nothing
    expect(await at(deployment.registry, "Registry", "owner")).to.equal(deployment.timelock);
    expect(
      await read(deployer, {
        address: deployment.safe,
        abi: safeArtifacts.safe().abi,
        functionName: "getThreshold",
      }),
    ).to.equal(2n);
    const singletonSlot = await deployer.public.getStorageAt({ address: deployment.safe, slot: "0x0" });
    expect(getAddress(`0x${singletonSlot!.slice(26)}`)).to.equal(canonical.safe.singleton);
    // wired to the canonical external contracts
    expect(await at(deployment.connectors.uniswap, "UniswapV3Connector", "positionManager")).to.equal(
      canonical.uniswapV3.positionManager,
    );
    expect(await at(deployment.connectors.uniswap, "UniswapV3Connector", "factory")).to.equal(
      canonical.uniswapV3.factory,
    );
    expect(await at(deployment.swapHandler, "LiFiSwapHandler", "diamond")).to.equal(canonical.lifiDiamond);
    expect(await at(deployment.morphoSupplyVault, "MorphoBlueSupplyVault", "morpho")).to.equal(
      canonical.morphoBlue,
    );
    expect(await at(deployment.connectors.aave, "AaveV3Connector", "pool")).to.equal(config.aaveV3.pool);
    expect(await at(deployment.vault, "AccountingManager", "asset")).to.equal(canonical.tokens.USDC.address);
    for (const pair of ["USDC/USD", "USDT/USD", "ETH/USD"] as const)
      expect(
        await at(deployment.oracle, "ValueOracle", "feedBase", [canonical.chainlink[pair].address]),
        pair,
      ).to.not.equal("0x0000000000000000000000000000000000000000");
    expect(
      await at(deployment.registry, "Registry", "isAllowedCall", [
        deployment.vault,
        deployment.vault,
        "0x11da60b4",
      ]),
    ).to.equal(true); // settle()
    expect(
      await read(deployer, {
        address: deployment.gate,
        abi: keeperGateArtifact().abi,
        functionName: "threshold",
      }),
    ).to.equal(2n);
    const factoryPool = await read<Address>(deployer, {
      address: canonical.uniswapV3.factory,
      abi: uniswapArtifacts.factory().abi,
      functionName: "getPool",
      args: [canonical.tokens.USDC.address, canonical.tokens.WETH.address, 500],
    });
    expect(deployment.pools.usdcWeth).to.equal(factoryPool);
    // [F8] the observation rings were grown to cover the 30-minute window at Ethereum's 12 s blocks
    for (const pool of Object.values(deployment.pools)) {
      const slot0 = await read<readonly unknown[]>(deployer, {
        address: pool,
        abi: uniswapArtifacts.pool().abi,
        functionName: "slot0",
      });
      expect(slot0[4]).to.be.at.least(151);
      const configured = await read<{ minCardinality: number }>(deployer, {
        address: deployment.oracle,
        abi: projectArtifact("ValueOracle").abi,
        functionName: "twapPool",
        args: [pool],
      });
      expect(configured.minCardinality).to.equal(151);
    }

    // the canonical feeds price WETH once the TWAP has a full window of history
    await advanceTime(deployer, 1_800n);
    await refreshFeeds(
      deployer,
      Object.values(canonical.chainlink).map((f) => f.address),
    );
    const weth = await tryValueOf(deployer, deployment.oracle, canonical.tokens.WETH.address, 10n ** 18n);
    expect(weth).to.deep.equal({ ok: true, value: parseUnits("3000", 6), reason: "0x00000000" });
  });

  it("[F8 twap flush] each network's TWAP pools must hold enough observations to cover the window at its block time", async function () {
    const cardinalities: Record<string, number> = {};
    for (const name of NETWORKS) {
      const config = await readNetworkConfig(configFile(name));
      cardinalities[name] = twapCardinalityFor(1_800, config.blockTimeSeconds);
      const plan = planDeployment(config, {
        safeOwners: [me],
        safeThreshold: 1n,
        operators: [me],
        gateThreshold: 1n,
        guardian: me,
        timelockDelay: 1n,
        morphoMarket: { loanToken: me, collateralToken: me, oracle: me, irm: me, lltv: 0n },
      });
      expect(plan.contracts.join("\n")).to.contain(`grown to ${cardinalities[name]} slots`);
    }
    // one observation per block at most: 12 s, 0.25 s and 2 s blocks
    expect(cardinalities).to.deep.equal({ ethereum: 151, arbitrum: 7_201, base: 901 });
    // a window no pool on that chain can cover is refused before anything is sent
    expect(() => twapCardinalityFor(7 * 86_400, 0.25)).to.throw(/more than a Uniswap v3 pool holds/);
    const arbitrum = await readNetworkConfig(configFile("arbitrum"));
    let message = "";
    await deployToNetwork(
      deployer,
      { ...arbitrum, chainId: await deployer.public.getChainId() },
      {
        safeOwners: [me],
        safeThreshold: 1n,
        operators: [me],
        gateThreshold: 1n,
        guardian: me,
        timelockDelay: 1n,
        twapWindow: 86_400,
        morphoMarket: { loanToken: me, collateralToken: me, oracle: me, irm: me, lltv: 0n },
      },
    ).catch((error: Error) => (message = error.message));
    expect(message).to.match(/needs 345601 observations at 0.25 s blocks/);
    expect(() => parseNetworkConfig({ ...arbitrum, blockTimeSeconds: 0 })).to.throw(/blockTimeSeconds/);
  });

  it("refuses a config for another chain or with an external contract missing, naming it", async function () {
    const config = await readNetworkConfig(configFile("ethereum"));
    const params = {
      safeOwners: [me],
      safeThreshold: 1n,
      operators: [me],
      gateThreshold: 1n,
      guardian: me,
      timelockDelay: 1n,
      morphoMarket: { loanToken: me, collateralToken: me, oracle: me, irm: me, lltv: 0n },
    };
    let message = "";
    await deployToNetwork(deployer, config, params).catch((error: Error) => (message = error.message));
    expect(message).to.match(/RPC serves chain 31337 but the network config is for chain 1 \(ethereum\)/);
    await deployToNetwork(
      deployer,
      { ...config, chainId: 31337, lifiDiamond: "0x000000000000000000000000000000000000dEaD" },
      params,
    ).catch((error: Error) => (message = error.message));
    expect(message).to.match(/has no code/);
  });

  it("scripts/deploy.ts: exit 2 naming the bad argument; --dry-run sends nothing; a real run writes the addresses", async function () {
    if (!placed) throw new Error("runs after the canonical deployment test");
    const dir = await mkdtemp(path.join(tmpdir(), "deploy-cli-"));
    const configFile = path.join(dir, "network.json");
    await writeFile(
      configFile,
      JSON.stringify(placed.config, (_k, v: unknown) => (typeof v === "bigint" ? Number(v) : v)),
    );
    const paramsFile = path.join(dir, "params.json");
    const params = {
      safeOwners: [8, 9, 10].map((i) => clientsFor(i).wallet.account.address),
      safeThreshold: 2,
      operators: [11, 12, 13].map((i) => clientsFor(i).wallet.account.address),
      gateThreshold: 2,
      guardian: clientsFor(14).wallet.account.address,
      timelockDelay: 3600,
      morphoMarket: JSON.parse(
        JSON.stringify(placed.morphoMarket, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)),
      ),
    };
    await writeFile(paramsFile, JSON.stringify(params));
    const badParams = path.join(dir, "bad.json");
    await writeFile(badParams, JSON.stringify({ ...params, gateThreshold: 4 }));
    const key = toHex(
      mnemonicToAccount("test test test test test test test test test test test junk", {
        addressIndex: 15,
      }).getHdKey().privateKey!,
    );
    const rpc = await startRpcServer(connection.provider, { port: 0 });
    try {
      const run = async (argv: string[]) => {
        const out: string[] = [];
        const err: string[] = [];
        const code = await deployMain(argv, {
          stdout: (t) => out.push(t),
          stderr: (t) => err.push(t),
          env: { DEPLOYER_PRIVATE_KEY: key },
        });
        return { code, stdout: out.join(""), stderr: err.join("") };
      };
      expect((await run(["--params", paramsFile])).stderr).to.include("deploy needs --network-config");
      const invalid = await run(["--network-config", configFile, "--params", badParams, "--rpc", rpc.url]);
      expect(invalid.code).to.equal(2);
      expect(invalid.stderr).to.include(
        "gateThreshold: gateThreshold must be between 1 and the number of operators",
      );
      const wrongNetwork = await run([
        "--network-config",
        "deploy/networks/base.json",
        "--params",
        paramsFile,
        "--rpc",
        rpc.url,
      ]);
      expect(wrongNetwork.code).to.equal(1);
      expect(wrongNetwork.stderr).to.include("serves chain 31337");

      const before = await deployer.public.getTransactionCount({
        address: mnemonicToAccount("test test test test test test test test test test test junk", {
          addressIndex: 15,
        }).address,
      });
      const dry = await run([
        "--network-config",
        configFile,
        "--params",
        paramsFile,
        "--rpc",
        rpc.url,
        "--dry-run",
      ]);
      expect(dry.code, dry.stderr).to.equal(0);
      expect(dry.stdout).to.include("nothing was sent");
      expect(dry.stdout).to.not.include(key.slice(2));
      const after = await deployer.public.getTransactionCount({
        address: mnemonicToAccount("test test test test test test test test test test test junk", {
          addressIndex: 15,
        }).address,
      });
      expect(after).to.equal(before);

      // the same dry run from the CLI against a local fork of the canonical Ethereum addresses
      const fork = await run([
        "--network-config",
        "deploy/networks/ethereum.json",
        "--params",
        "deploy/params/example.params.json",
        "--local-fork",
        "--dry-run",
      ]);
      expect(fork.code, fork.stderr).to.equal(0);
      expect(fork.stdout)
        .to.include("via an in-process local fork")
        .and.include("Uniswap v3 factory           0x1F98431c8aD98523631AE4a59f267346ea31F984")
        .and.include("every external contract has code");

      const out = path.join(dir, "deployment.json");
      const real = await run([
        "--network-config",
        configFile,
        "--params",
        paramsFile,
        "--rpc",
        rpc.url,
        "--out",
        out,
        "--deployments-dir",
        path.join(dir, "deployments"),
      ]);
      expect(real.code, real.stderr).to.equal(0);
      expect(real.stdout).to.not.include(key.slice(2));
      const deployment = JSON.parse(await readFile(out, "utf8")) as { registry: Address; timelock: Address };
      const registryAbi = projectArtifact("Registry").abi;
      expect(
        await read(deployer, {
          address: deployment.registry,
          abi: registryAbi,
          functionName: "pendingOwner",
        }),
      ).to.equal(deployment.timelock);
    } finally {
      await rpc.close();
    }
  });

  it("scripts/deploy.ts as a process on an interval-mining chain: killed mid-deployment, the same command resumes from the Ignition journal", async function () {
    if (!placed) throw new Error("runs after the canonical deployment test");
    const dir = await mkdtemp(path.join(tmpdir(), "deploy-resume-"));
    const configFile = path.join(dir, "network.json");
    await writeFile(
      configFile,
      JSON.stringify(placed.config, (_k, v: unknown) => (typeof v === "bigint" ? Number(v) : v)),
    );
    const paramsFile = path.join(dir, "params.json");
    await writeFile(
      paramsFile,
      JSON.stringify({
        safeOwners: [8, 9, 10].map((i) => clientsFor(i).wallet.account.address),
        safeThreshold: 2,
        operators: [11, 12, 13].map((i) => clientsFor(i).wallet.account.address),
        gateThreshold: 2,
        guardian: clientsFor(14).wallet.account.address,
        timelockDelay: 3600,
        morphoMarket: JSON.parse(
          JSON.stringify(placed.morphoMarket, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)),
        ),
      }),
    );
    const account = mnemonicToAccount("test test test test test test test test test test test junk", {
      addressIndex: 16,
    });
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DEPLOYER_PRIVATE_KEY: toHex(account.getHdKey().privateKey!),
    };
    const deployments = path.join(dir, "deployments");
    const journal = path.join(deployments, "resume-test", "journal.jsonl");
    const rpc = await startRpcServer(connection.provider, { port: 0 });
    const argv = [
      "--import",
      "tsx",
      "scripts/deploy.ts",
      "--network-config",
      configFile,
      "--params",
      paramsFile,
      "--rpc",
      rpc.url,
      "--deployments-dir",
      deployments,
      "--deployment-id",
      "resume-test",
    ];
    const completed = async () => {
      const text = await readFile(journal, "utf8").catch(() => "");
      return text
        .split("\n")
        .filter((line) => line.includes('"DEPLOYMENT_EXECUTION_STATE_COMPLETE"'))
        .map((line) => (JSON.parse(line) as { futureId: string }).futureId);
    };
    // blocks every 100 ms, as on a real chain: each step waits for its block
    await connection.provider.request({ method: "evm_setAutomine", params: [false] });
    await connection.provider.request({ method: "evm_setIntervalMining", params: [100] });
    try {
      const first = spawn(process.execPath, argv, { env, stdio: "ignore" });
      const exited = new Promise<number | null>((resolve) => first.on("exit", (code) => resolve(code)));
      let partial: string[] = [];
      for (let i = 0; i < 600 && first.exitCode === null; i++) {
        partial = await completed();
        if (partial.includes("AgentVaultProduct#Registry")) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      // The chain stops producing blocks: the deployer sends its next transactions, journals them and
      // waits for them to be mined; it is killed while they are pending (the crash a resume must survive).
      await connection.provider.request({ method: "evm_setIntervalMining", params: [0] });
      let size = -1;
      for (let i = 0; i < 100; i++) {
        await new Promise((r) => setTimeout(r, 300));
        const now = (await readFile(journal, "utf8")).length;
        if (now === size) break;
        size = now;
      }
      first.kill("SIGKILL");
      await exited;
      await connection.provider.request({ method: "evm_setIntervalMining", params: [100] });
      partial = await completed();
      expect(partial, "the first run stopped part-way").to.include("AgentVaultProduct#Registry");
      expect(partial).to.not.include("AgentVaultProduct#UniswapV3Connector");
      const inFlight = (await readFile(journal, "utf8"))
        .split("\n")
        .filter((line) => line.includes('"TRANSACTION_SEND"'))
        .map((line) => (JSON.parse(line) as { futureId: string }).futureId)
        .filter((id) => !partial.includes(id));
      expect(inFlight.length, "transactions were pending when it was killed").to.be.greaterThan(0);
      const nonceAfterKill = await deployer.public.getTransactionCount({ address: account.address });

      const second = await promisify(execFile)(process.execPath, argv, { env, timeout: 120_000 });
      expect(second.stdout).to.include("deployment resume-test");
      // what the first run finished is not sent again
      for (const id of partial) expect(second.stdout).to.not.include(`sent ${id} `);
      const addresses = JSON.parse(
        await readFile(path.join(deployments, "resume-test", "deployed_addresses.json"), "utf8"),
      ) as Record<string, Address>;
      const firstAddresses = JSON.parse(
        second.stdout.slice(second.stdout.indexOf("{"), second.stdout.lastIndexOf("}") + 1),
      ) as {
        registry: Address;
        timelock: Address;
      };
      expect(addresses["AgentVaultProduct#Registry"]).to.equal(firstAddresses.registry);
      expect(
        await read(deployer, {
          address: firstAddresses.registry,
          abi: projectArtifact("Registry").abi,
          functionName: "pendingOwner",
        }),
      ).to.equal(firstAddresses.timelock);
      expect(await deployer.public.getTransactionCount({ address: account.address })).to.be.greaterThan(
        nonceAfterKill,
      );

      // a third run finds everything done and sends nothing
      const nonceDone = await deployer.public.getTransactionCount({ address: account.address });
      const third = await promisify(execFile)(process.execPath, argv, { env, timeout: 120_000 });
      expect(third.stdout).to.not.include("sent ");
      expect(await deployer.public.getTransactionCount({ address: account.address })).to.equal(nonceDone);
    } finally {
      await connection.provider.request({ method: "evm_setIntervalMining", params: [0] });
      await connection.provider.request({ method: "evm_setAutomine", params: [true] });
      await rpc.close();
    }
  });
});
