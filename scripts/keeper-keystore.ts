import { writeFileSync } from "node:fs";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import type { Hex } from "viem";
import { EXIT_OK, processIo, runScript, UsageError } from "../keeper/cli/usage.js";
import { encryptKeystore } from "../keeper/keys/keystore.js";

/**
 * Writes an encrypted v3 keystore for a keeper operator. Without KEEPER_PRIVATE_KEY a fresh key is
 * generated. Prints the address only, never the key; refuses to overwrite an existing file.
 */
const USAGE =
  "usage: KEEPER_KEYSTORE_PASSWORD=… [KEEPER_PRIVATE_KEY=0x…] npx tsx scripts/keeper-keystore.ts <out.json>";

process.exitCode = await runScript(processIo, USAGE, async () => {
  const args = process.argv.slice(2);
  if (args.length !== 1 || args[0]!.startsWith("-"))
    throw new UsageError(`expected exactly one argument, the keystore file to write; got ${args.length}`);
  const out = args[0]!;
  const password = processIo.env.KEEPER_KEYSTORE_PASSWORD;
  if (!password) throw new UsageError("set KEEPER_KEYSTORE_PASSWORD to the keystore's password");
  const given = processIo.env.KEEPER_PRIVATE_KEY?.trim();
  if (given !== undefined && !/^0x[0-9a-fA-F]{64}$/.test(given))
    throw new UsageError("KEEPER_PRIVATE_KEY must be 0x followed by 64 hex digits (value not shown)");
  const key = (given as Hex | undefined) ?? generatePrivateKey();
  writeFileSync(out, `${JSON.stringify(encryptKeystore(key, password), null, 2)}\n`, {
    mode: 0o600,
    flag: "wx",
  });
  processIo.stdout(`${privateKeyToAddress(key)} → ${out}\n`);
  return EXIT_OK;
});
