import { expect } from "chai";
import { createPublicClient, custom, encodeFunctionData, parseEther, parseUnits, type Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { deploy, projectArtifact, read } from "../../../deploy/lib/artifacts.js";
import { ReliableSender, type SendCheckpoint } from "../../../keeper/chain/sender.js";
import { createLogger } from "../../../keeper/log/logger.js";
import { depegLevel, navGuardrail } from "../../../keeper/ops/monitors.js";
import { SqliteStore } from "../../../keeper/store/sqlite.js";
import { localChain } from "../helpers/chain.js";
import { faultyProvider, type FaultMode } from "./helpers/faultyProvider.js";

/** Deterministic PRNG (mulberry32) so a failing case can be replayed from its seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!,
    hex: (bytes: number) =>
      `0x${Array.from({ length: bytes }, () =>
        Math.floor(next() * 256)
          .toString(16)
          .padStart(2, "0"),
      ).join("")}`,
  };
}

const DEEP = process.env.DEEP === "1";

describe("keeper-ops properties (randomised, seeded)", function () {
  it("the logger never emits a registered key, wherever it hides in the fields", function () {
    const runs = DEEP ? 5_000 : 300;
    const names = ["a", "txHash", "note", "id", "details", "err", "list", "value", "proposalId", "message"];
    for (let seed = 1; seed <= runs; seed++) {
      const r = prng(seed);
      const key = r.hex(32);
      const lines: string[] = [];
      const logger = createLogger({ write: (l) => lines.push(l) });
      logger.addSecret(key);
      const variants = [
        key,
        key.slice(2),
        key.toUpperCase().replace("0X", "0x"),
        `pk=${key};`,
        `${key.slice(2)} tail`,
      ];
      const build = (depth: number): unknown => {
        const choice = r.int(depth > 2 ? 3 : 6);
        if (choice === 0) return r.pick(variants);
        if (choice === 1) return r.hex(r.int(40));
        if (choice === 2) return r.int(1000);
        if (choice === 3) return Array.from({ length: r.int(3) + 1 }, () => build(depth + 1));
        if (choice === 4) return new Error(`failed with ${r.pick(variants)}`);
        return Object.fromEntries(
          Array.from({ length: r.int(3) + 1 }, () => [r.pick(names), build(depth + 1)]),
        );
      };
      logger
        .child({ component: "x" })
        .warn(`message ${r.pick(variants)}`, { root: build(0), [r.pick(names)]: build(0) });
      const text = lines.join("").toLowerCase();
      expect(text.includes(key.slice(2).toLowerCase()), `seed ${seed}`).to.equal(false);
    }
  });

  it("depeg level never decreases as the price moves away from the peg, in either direction", function () {
    const bands = { watchBps: 50, reduceBps: 200, exitBps: 500 };
    const order = { ok: 0, watch: 1, reduce: 2, exit: 3 };
    const peg = parseUnits("1", 18);
    const r = prng(42);
    for (let i = 0; i < (DEEP ? 20_000 : 2_000); i++) {
      const a = BigInt(r.int(1_000_000)) * 10n ** 12n;
      const b = a + BigInt(r.int(100_000)) * 10n ** 12n;
      const below = (x: bigint) => order[depegLevel({ token: "T", price: peg - x, peg }, bands).level];
      const above = (x: bigint) => order[depegLevel({ token: "T", price: peg + x, peg }, bands).level];
      if (a <= peg && b <= peg) expect(below(b)).to.be.at.least(below(a));
      expect(above(b)).to.be.at.least(above(a));
      expect(below(a), "symmetric around the peg").to.equal(above(a));
    }
  });

  it("the NAV guardrail is symmetric and agrees with its own bps figure", function () {
    const r = prng(7);
    const one = parseUnits("1", 18);
    for (let i = 0; i < (DEEP ? 20_000 : 2_000); i++) {
      const band = r.int(1_000);
      const delta = BigInt(r.int(999_999)) * 10n ** 12n;
      const up = navGuardrail(
        { vault: "v", previousPricePerShare: one, currentPricePerShare: one + delta },
        band,
      );
      const down = navGuardrail(
        { vault: "v", previousPricePerShare: one, currentPricePerShare: one - delta },
        band,
      );
      expect(up.withinBand).to.equal(down.withinBand);
      expect(up.withinBand).to.equal(Math.abs(up.bps) <= band);
    }
  });
});

const { connection, networkHelpers, deployer } = await localChain();
const token = await deploy(deployer, projectArtifact("MockERC20"), ["USD Coin", "USDC", 6]);
const erc20 = projectArtifact("MockERC20").abi;

describe("keeper/chain: exactly-once under random faults and crashes (seeded)", function () {
  it("every intent executes exactly once whatever transport faults and crash points occur", async function () {
    const rounds = DEEP ? 60 : 8;
    const methods = [
      "eth_call",
      "eth_estimateGas",
      "eth_sendRawTransaction",
      "eth_getTransactionReceipt",
      "eth_getTransactionCount",
    ];
    const modes: FaultMode[] = ["error", "after", "timeout"];
    const checkpoints: (SendCheckpoint | undefined)[] = [
      "simulated",
      "journaled",
      "broadcast",
      "mined",
      undefined,
    ];
    for (let seed = 1; seed <= rounds; seed++) {
      const r = prng(seed * 7919);
      const account = privateKeyToAccount(r.hex(32) as `0x${string}`);
      await networkHelpers.setBalance(account.address, parseEther("10"));
      const store = SqliteStore.open({ path: ":memory:" });
      const recipient = privateKeyToAccount(r.hex(32) as `0x${string}`).address as Address;
      const intents = Array.from({ length: 3 }, (_, i) => ({
        id: `seed-${seed}-${i}`,
        to: token,
        data: encodeFunctionData({ abi: erc20, functionName: "mint", args: [recipient, 10n ** BigInt(i)] }),
      }));
      for (const intent of intents) {
        let crashAt: SendCheckpoint | undefined = r.pick(checkpoints);
        for (let attempt = 0; attempt < 6; attempt++) {
          const faults = faultyProvider(connection.provider);
          for (let f = 0; f < r.int(3); f++)
            faults.inject({ method: r.pick(methods), mode: r.pick(modes), times: 1 });
          const sender = new ReliableSender({
            client: createPublicClient({
              transport: custom(faults.provider, { retryCount: 0 }),
              cacheTime: 0,
            }),
            account,
            chainId: 31337,
            store,
            retry: { maxRetries: 4, baseDelayMs: 1, maxDelayMs: 2, rpcTimeoutMs: 300 },
            stuckAfterMs: 60_000,
            feeBumpPercent: 15,
            maxReplacements: 1,
            pollIntervalMs: 2,
            onCheckpoint: (checkpoint) => {
              if (checkpoint === crashAt) {
                crashAt = undefined;
                throw new Error(`crash at ${checkpoint}`);
              }
            },
          });
          try {
            expect((await sender.send(intent)).status, `seed ${seed}`).to.equal("confirmed");
            break;
          } catch (error) {
            // A crash, or an RPC outage outlasting the retries, ends this attempt; the next cycle resumes.
            const resumable =
              String(error).includes("crash at") || (error as Error).name === "RetriesExhaustedError";
            if (!resumable) throw new Error(`seed ${seed}: ${String(error)}`, { cause: error });
          }
        }
      }
      const minted = await read<bigint>(deployer, {
        address: token,
        abi: erc20,
        functionName: "balanceOf",
        args: [recipient],
      });
      expect(minted, `seed ${seed}: each mint exactly once`).to.equal(111n);
      const count = await connection.provider.request({
        method: "eth_getTransactionCount",
        params: [account.address, "latest"],
      });
      expect(BigInt(count as string), `seed ${seed}: one tx per intent`).to.equal(3n);
      await store.close();
    }
  });
});
