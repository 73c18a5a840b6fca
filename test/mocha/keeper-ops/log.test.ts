import { expect } from "chai";
import { generateMnemonic, english, generatePrivateKey } from "viem/accounts";
import { createLogger } from "../../../keeper/log/logger.js";
import { REDACTED, redact } from "../../../keeper/log/redact.js";

function capture() {
  const lines: string[] = [];
  const logger = createLogger({ level: "debug", write: (line) => lines.push(line) });
  return { lines, logger, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe("keeper/log: structured JSON logger with redaction", function () {
  it("writes one JSON object per line with time, level, message and fields", function () {
    const { logger, parsed } = capture();
    logger.child({ component: "sender" }).info("broadcast", { nonce: 7n, txHash: `0x${"ab".repeat(32)}` });
    const [line] = parsed();
    expect(line).to.include({ level: "info", msg: "broadcast", component: "sender", nonce: "7" });
    expect(line!.txHash).to.equal(`0x${"ab".repeat(32)}`);
    expect(Date.parse(line!.time as string)).to.be.a("number").and.not.NaN;
  });

  it("redacts fields named key/secret/password/privateKey whatever they hold, at any depth", function () {
    const { logger, lines } = capture();
    logger.warn("cfg", {
      key: "k1",
      secret: { nested: 1 },
      password: "hunter2",
      privateKey: "abc",
      signer: { PRIVATE_KEY: "x", apiKey: "y", webhookSecret: "z" },
      connectorKey: "aave-usdc",
    });
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).to.include({ key: REDACTED, secret: REDACTED, password: REDACTED, privateKey: REDACTED });
    expect(line.signer).to.deep.equal({ PRIVATE_KEY: REDACTED, apiKey: REDACTED, webhookSecret: REDACTED });
    expect(line.connectorKey).to.equal("aave-usdc");
    expect(lines[0]).not.to.include("hunter2");
  });

  it("redacts key-shaped hex in messages and ordinary fields but keeps hashes in hash/id fields", function () {
    const { logger, lines } = capture();
    const pk = generatePrivateKey();
    logger.error(`boom with ${pk} inside`, { detail: `value=${pk.slice(2)}`, list: [pk], proposalId: pk });
    const text = lines[0]!;
    expect(text.split(pk.slice(2)).length).to.equal(2, "only the hash-named field keeps the 32-byte value");
    const line = JSON.parse(text) as Record<string, unknown>;
    expect(line.msg).to.equal(`boom with ${REDACTED} inside`);
    expect(line.detail).to.equal(`value=${REDACTED}`);
    expect(line.list).to.deep.equal([REDACTED]);
    expect(line.proposalId).to.equal(pk);
    logger.info("x", { valid: pk, paid: pk, txHash: pk, id: pk, snapshot_hash: pk });
    const second = JSON.parse(lines[1]!) as Record<string, unknown>;
    expect(second).to.include({ valid: REDACTED, paid: REDACTED, txHash: pk, id: pk, snapshot_hash: pk });
  });

  it("redacts a registered secret everywhere, even inside hash-named fields and errors", function () {
    const { logger, lines } = capture();
    const pk = generatePrivateKey();
    logger.addSecret(pk);
    logger
      .child({ component: "x" })
      .info("x", { txHash: pk, err: new Error(`failed for ${pk.toUpperCase().slice(2)}`) });
    expect(lines[0]).not.to.include(pk.slice(2));
    expect(lines[0]!.toLowerCase()).not.to.include(pk.slice(2));
  });

  it("redacts BIP-39 mnemonics in free text but not short runs of ordinary words", function () {
    const mnemonic = generateMnemonic(english);
    const { logger, parsed } = capture();
    logger.info(`restoring from ${mnemonic}; done`, { note: "abandon ability able about" });
    const [line] = parsed();
    expect(line!.msg).to.equal(`restoring from ${REDACTED}; done`);
    expect(line!.note).to.equal("abandon ability able about");
  });

  it("respects the level threshold and survives cycles and bigint", function () {
    const lines: string[] = [];
    const logger = createLogger({ level: "warn", write: (l) => lines.push(l) });
    logger.info("dropped");
    const cyclic: Record<string, unknown> = { a: 1n };
    cyclic.self = cyclic;
    logger.warn("kept", { cyclic });
    expect(lines).to.have.length(1);
    expect(JSON.parse(lines[0]!).cyclic).to.deep.equal({ a: "1", self: "[Circular]" });
    expect(redact(new Uint8Array([1, 2]))).to.equal(REDACTED);
  });
});
