import { expect } from "chai";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { decryptKeystore, encryptKeystore, KeystoreError } from "../../../keeper/keys/keystore.js";
import { scrypt as nobleScrypt } from "@noble/hashes/scrypt";
import { scrypt } from "../../../keeper/keys/scrypt.js";
import { loadSigner, SignerError } from "../../../keeper/keys/signer.js";
import { createLogger } from "../../../keeper/log/logger.js";

/** The two test vectors of the Web3 Secret Storage Definition (ethereum.org), password "testpassword". */
const SPEC_PRIVATE_KEY = "0x7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d";
const SPEC_SCRYPT = {
  crypto: {
    cipher: "aes-128-ctr",
    cipherparams: { iv: "83dbcc02d8ccb40e466191a123791e0e" },
    ciphertext: "d172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c",
    kdf: "scrypt",
    kdfparams: {
      dklen: 32,
      n: 262144,
      p: 8,
      r: 1,
      salt: "ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19",
    },
    mac: "2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097",
  },
  id: "3198bc9c-6672-5ab3-d995-4942343ae5b6",
  version: 3,
} as const;
const SPEC_PBKDF2 = {
  crypto: {
    cipher: "aes-128-ctr",
    cipherparams: { iv: "6087dab2f9fdbbfaddc31a909735c1e6" },
    ciphertext: "5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46",
    kdf: "pbkdf2",
    kdfparams: {
      c: 262144,
      dklen: 32,
      prf: "hmac-sha256",
      salt: "ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd",
    },
    mac: "517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2",
  },
  id: "3198bc9c-6672-5ab3-d995-4942343ae5b6",
  version: 3,
} as const;

/** Cheap scrypt cost so the round-trip tests stay fast; the spec vector above uses the real cost. */
const FAST = { n: 1024, r: 8, p: 1 };

function expectThrows(fn: () => unknown, type: new (...args: never[]) => Error, text: string): Error {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(type);
    expect((error as Error).message).to.include(text);
    return error as Error;
  }
  throw new Error("expected a throw");
}

describe("keeper/keys: Web3 Secret Storage v3 keystore and signer loading", function () {
  it("decrypts the spec's scrypt test vector with password 'testpassword'", function () {
    expect(decryptKeystore(SPEC_SCRYPT, "testpassword")).to.equal(SPEC_PRIVATE_KEY);
  });

  it("decrypts the spec's PBKDF2 test vector (same key)", function () {
    expect(decryptKeystore(JSON.stringify(SPEC_PBKDF2), "testpassword")).to.equal(SPEC_PRIVATE_KEY);
  });

  it("rejects a wrong password by MAC and a tampered ciphertext, without echoing key material", function () {
    expectThrows(() => decryptKeystore(SPEC_PBKDF2, "wrong"), KeystoreError, "MAC mismatch");
    const tampered = {
      ...SPEC_PBKDF2,
      crypto: { ...SPEC_PBKDF2.crypto, ciphertext: `00${SPEC_PBKDF2.crypto.ciphertext.slice(2)}` },
    };
    const error = expectThrows(
      () => decryptKeystore(tampered, "testpassword"),
      KeystoreError,
      "MAC mismatch",
    );
    expect(error.message).not.to.include("7a28b5ba");
  });

  it("round-trips a keystore it creates, deterministically for fixed salt and iv", function () {
    const key = generatePrivateKey();
    const fixed = { ...FAST, salt: new Uint8Array(32).fill(7), iv: new Uint8Array(16).fill(9), id: "x" };
    const a = encryptKeystore(key, "pw", fixed);
    const b = encryptKeystore(key, "pw", fixed);
    expect(a).to.deep.equal(b);
    expect(a.address).to.equal(privateKeyToAddress(key).slice(2).toLowerCase());
    expect(decryptKeystore(a, "pw")).to.equal(key);
    expect(decryptKeystore(encryptKeystore(key, "pw", FAST), "pw")).to.equal(key);
  });

  it("names the malformed field of a bad keystore", function () {
    expectThrows(() => decryptKeystore("{", "x"), KeystoreError, "not valid JSON");
    const badIv = { ...SPEC_PBKDF2, crypto: { ...SPEC_PBKDF2.crypto, cipherparams: { iv: "zz" } } };
    expectThrows(() => decryptKeystore(badIv, "x"), KeystoreError, "crypto");
    expectThrows(
      () => decryptKeystore({ ...SPEC_PBKDF2, version: 2 } as never, "x"),
      KeystoreError,
      "version",
    );
  });

  it("loads a LocalAccount from a keystore file + password env, and registers both secrets with the logger", async function () {
    const key = generatePrivateKey();
    const dir = mkdtempSync(path.join(tmpdir(), "keeper-keys-"));
    const file = path.join(dir, "op.json");
    writeFileSync(file, JSON.stringify(encryptKeystore(key, "s3cret-pass", FAST)));
    const lines: string[] = [];
    const logger = createLogger({ write: (l) => lines.push(l) });
    const account = loadSigner(
      { keystorePath: file, passwordEnv: "PW", privateKeyEnv: "PK" },
      { PW: "s3cret-pass" },
      logger,
    );
    expect(account.address).to.equal(privateKeyToAddress(key));
    expect(account.type).to.equal("local");
    logger.info("loaded", { note: `pw s3cret-pass key ${key}`, txHash: key });
    expect(lines.join("\n")).not.to.include("s3cret-pass");
    expect(lines.join("\n")).not.to.include(key.slice(2));
    const signature = await account.signMessage({ message: "hi" });
    expect(signature).to.match(/^0x[0-9a-f]{130}$/);
  });

  it("loads from the private-key env var and explains every missing or bad input", function () {
    const key = generatePrivateKey();
    const source = { passwordEnv: "PW", privateKeyEnv: "PK" };
    expect(loadSigner(source, { PK: key.slice(2) }).address).to.equal(privateKeyToAddress(key));
    expectThrows(() => loadSigner(source, {}), SignerError, "no signer configured");
    const bad = expectThrows(() => loadSigner(source, { PK: "0x1234" }), SignerError, "not a 32-byte hex");
    expect(bad.message).not.to.include("1234");
    expectThrows(
      () => loadSigner({ ...source, keystorePath: "/x.json" }, {}),
      SignerError,
      "password in env PW",
    );
    expectThrows(
      () => loadSigner({ ...source, keystorePath: "/nonexistent.json" }, { PW: "p" }),
      SignerError,
      "ENOENT",
    );
  });
});

describe("keeper/keys: scrypt", function () {
  it("matches RFC 7914 test vector 2 (N=1024, r=8, p=16)", function () {
    const out = scrypt(Buffer.from("password"), Buffer.from("NaCl"), 1024, 8, 16, 64);
    expect(out.toString("hex")).to.equal(
      "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162" +
        "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640",
    );
  });

  it("takes parameters OpenSSL refuses (N >= 2^(16r)) through @noble/hashes, with the same result", function () {
    const salt = Buffer.from("salt");
    const out = scrypt(Buffer.from("pw"), salt, 2 ** 16, 1, 1, 32);
    expect(out.toString("hex")).to.equal(
      Buffer.from(nobleScrypt(Buffer.from("pw"), salt, { N: 2 ** 16, r: 1, p: 1, dkLen: 32 })).toString(
        "hex",
      ),
    );
    expect(scrypt(Buffer.from("pw"), salt, 2048, 4, 2, 32).toString("hex")).to.equal(
      Buffer.from(nobleScrypt(Buffer.from("pw"), salt, { N: 2048, r: 4, p: 2, dkLen: 32 })).toString("hex"),
    );
  });
});
