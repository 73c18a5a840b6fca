import { expect } from "chai";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { keccak256, toHex, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { keeperConfigSchema } from "../../../keeper/config/schema.js";
import { createLogger } from "../../../keeper/log/logger.js";
import type { GateReader } from "../../../keeper/multisig/gate.js";
import {
  checkGateConfiguration,
  configRiskChecker,
  GateConfigError,
  openStore,
} from "../../../keeper/service/runtime.js";
import { SqliteStore } from "../../../keeper/store/sqlite.js";
import type { ProposalRecord } from "../../../keeper/store/types.js";

const address = () => privateKeyToAccount(generatePrivateKey()).address;
const GATE = address();
const VAULT = address();
const ALLOWED = address();
const SIGNERS = [address(), address()];

function config(overrides: Record<string, unknown> = {}, storePath = ":memory:") {
  return keeperConfigSchema.parse({
    operator: { id: "op" },
    chain: { rpcUrl: "http://127.0.0.1:8545", chainId: 31337 },
    store: { path: storePath },
    gate: { address: GATE, vault: VAULT, threshold: 2, signers: SIGNERS, ...overrides },
  });
}

function proposal(targets: Address[]): ProposalRecord {
  return {
    id: keccak256(toHex("p")),
    chainId: 31337,
    gate: GATE,
    vault: VAULT,
    calls: targets.map((target) => ({ target, data: "0x" as Hex })),
    nonce: 0n,
    deadline: 1n,
    provenance: keccak256("0x01"),
    planJson: "{}",
    snapshotJson: "{}",
    proposer: "op",
    status: "proposed",
    createdAt: 0,
    updatedAt: 0,
  };
}

function reader(configuration: GateReader["configuration"]): GateReader {
  return { nonce: async () => 0n, chainTime: async () => 0n, executed: async () => undefined, configuration };
}

describe("keeper/service: runtime pieces", function () {
  it("the operator's risk checker enforces batch size, allowed targets and the strategy's checker", async function () {
    const open = configRiskChecker(config({ maxCallsPerProposal: 2 }));
    expect(await open.check(proposal([address(), address()]), {})).to.deep.equal({ ok: true });
    const tooMany = await open.check(proposal([address(), address(), address()]), {});
    expect(tooMany.ok).to.equal(false);
    const strict = configRiskChecker(config({ allowedTargets: [ALLOWED] }), {
      check: async (_p, plan) =>
        (plan as { slippageBps: number }).slippageBps <= 50
          ? { ok: true }
          : { ok: false, reasons: ["slippage above 50 bps"] },
    });
    expect(await strict.check(proposal([ALLOWED]), { slippageBps: 10 })).to.deep.equal({ ok: true });
    const refused = await strict.check(proposal([ALLOWED, GATE]), { slippageBps: 80 });
    expect(refused).to.deep.equal({
      ok: false,
      reasons: [`calls[1] targets ${GATE}, not in gate.allowedTargets`, "slippage above 50 bps"],
    });
  });

  it("refuses to start when the config disagrees with the gate; only warns when the gate cannot be read", async function () {
    const lines: string[] = [];
    const logger = createLogger({ write: (l) => lines.push(l) });
    await checkGateConfiguration(
      config(),
      reader(async () => ({ vault: VAULT, threshold: 2, signers: SIGNERS })),
      logger,
    );
    try {
      await checkGateConfiguration(
        config(),
        reader(async () => ({ vault: VAULT, threshold: 3, signers: [...SIGNERS, ALLOWED] })),
        logger,
      );
      expect.fail("should refuse");
    } catch (error) {
      expect(error).to.be.instanceOf(GateConfigError);
      expect((error as GateConfigError).problems).to.have.length(2);
    }
    await checkGateConfiguration(
      config(),
      reader(async () => {
        throw new Error("returned no data (0x)");
      }),
      logger,
    );
    expect(lines.some((l) => l.includes("cannot read the gate's configuration"))).to.equal(true);
  });

  it("a dry run works on a copy of the store and never writes to the real one", async function () {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "keeper-rt-")), "state.sqlite");
    const real = SqliteStore.open({ path: file });
    await real.setState("k", "real");
    await real.close();
    const dry = await openStore({ ...config({}, file), dryRun: true });
    expect(dry.path).not.to.equal(file);
    expect(await dry.store.getState("k")).to.equal("real");
    await dry.store.setState("k", "dry");
    await dry.store.close();
    const again = SqliteStore.open({ path: file });
    expect(await again.getState("k")).to.equal("real");
    await again.close();
  });
});
