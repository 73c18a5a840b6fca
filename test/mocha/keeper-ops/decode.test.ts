import { expect } from "chai";
import { encodeErrorResult, encodeFunctionData, getAddress } from "viem";
import { ChainDecoder, formatTokenAmount } from "../../../keeper/chain/decode.js";
import { redactMessage } from "../../../keeper/log/redact.js";
import { checkPolicyConnectors, parsePolicy } from "../../../keeper/strategy/policy.js";
import { productAbis } from "../../../keeper/vault/abis.js";
import { productErrorAbis } from "../../../keeper/vault/decoder.js";

const VAULT = getAddress("0x36b58f5c1969b7b6591d752ea6f5486d069010ab");
const USDC = getAddress("0x5fbdb2315678afecb367f032d93f642f64180aa3");
const CONNECTOR = getAddress("0xfbc22278a96299d91d41c453234d97b4f5eb9b2d");

describe("keeper/chain/decode: revert data and gate calls in words", function () {
  const decoder = new ChainDecoder({
    abis: productErrorAbis(),
    contracts: [
      { name: "vault", address: VAULT, abi: productAbis.vault },
      { name: "aave connector", address: CONNECTOR, abi: productAbis.aave },
    ],
    baseToken: { address: USDC, symbol: "USDC", decimals: 6 },
    shareToken: { address: VAULT, symbol: "shares", decimals: 12 },
  });

  it("decodes a gate CallFailed with the inner error (the issue's CallFailed(0, 0x36b5…, 0x618104e8))", function () {
    const inner = encodeErrorResult({ abi: productAbis.vault, errorName: "NothingToSettle" });
    expect(inner).to.equal("0x618104e8");
    const outer = encodeErrorResult({
      abi: productAbis.gate,
      errorName: "CallFailed",
      args: [0n, VAULT, inner],
    });
    expect(decoder.describeRevert(outer)).to.equal(`CallFailed(0, vault (${VAULT}), NothingToSettle())`);
    expect(decoder.describeRevert("0xdeadbeef")).to.include("unknown error 0xdeadbeef");
  });

  it("decodes calls with names and amounts in units", function () {
    const transfer = encodeFunctionData({
      abi: productAbis.vault,
      functionName: "transferToConnector",
      args: [CONNECTOR, 45_000_000_000n],
    });
    expect(decoder.decodeCall({ target: VAULT, data: transfer }).text).to.equal(
      `vault.transferToConnector(connector=aave connector (${CONNECTOR}), amount=45,000 USDC)`,
    );
    const redeem = encodeFunctionData({
      abi: productAbis.vault,
      functionName: "requestRedeem",
      args: [1_500_000_000_000_000n, VAULT, VAULT],
    });
    expect(decoder.decodeCall({ target: VAULT, data: redeem }).text).to.include("shares=1,500 shares");
    expect(decoder.decodeCall({ target: USDC, data: "0x12345678" }).text).to.include(
      "unknown function 0x12345678",
    );
    expect(formatTokenAmount(-1_500_000n, { symbol: "USDC", decimals: 6 })).to.equal("-1.5 USDC");
  });

  it("operator messages keep proposal ids and tx hashes, never a secret", function () {
    const id = `0x${"ab".repeat(32)}`;
    const key = `0x${"cd".repeat(32)}`;
    expect(redactMessage(`proposal ${id}: not found`)).to.equal(`proposal ${id}: not found`);
    expect(redactMessage(`boom ${key}`)).to.equal("boom [REDACTED]");
    expect(redactMessage(`proposal ${key}: x`, [key])).to.equal("proposal [REDACTED]: x");
  });
});

describe("keeper/strategy/policy: thresholds and connector keys", function () {
  const base = {
    version: 1,
    connectors: ["aave-usdc", "idle"],
    baseWeightsBps: { "aave-usdc": 9000, idle: 1000 },
    maxTurnoverBps: 2000,
    rules: [
      {
        id: "r",
        signal: { kind: "market", venue: "polymarket", marketId: "m", outcome: "Yes" },
        levels: [{ name: "on", enter: 75, exit: 0.6, moves: [] }],
      },
    ],
  };

  it("refuses a market probability threshold outside [0, 1], naming the field", function () {
    const parsed = parsePolicy(base);
    expect(parsed.ok).to.equal(false);
    if (parsed.ok) return;
    expect(parsed.errors.map((e) => `${e.path}: ${e.message}`)).to.include(
      "rules[0].levels[0].enter: a market probability threshold lies in [0, 1], got 75",
    );
  });

  it("refuses connector keys the deployment does not have", function () {
    const parsed = parsePolicy({ ...base, rules: [] });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    expect(checkPolicyConnectors(parsed.policy, ["aave-usdc"])).to.deep.equal([]);
    const problems = checkPolicyConnectors(parsed.policy, ["morpho-usdc"]);
    expect(problems).to.have.length(1);
    expect(problems[0]!.path).to.equal("connectors[0]");
    expect(problems[0]!.message).to.include('"aave-usdc" is not a connector of this deployment');
  });
});
