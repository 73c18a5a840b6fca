import { writeFileSync } from "node:fs";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import type { Hex } from "viem";
import { encryptKeystore } from "../keeper/keys/keystore.js";

/**
 * Writes an encrypted v3 keystore for a keeper operator:
 *   KEEPER_KEYSTORE_PASSWORD=… [KEEPER_PRIVATE_KEY=0x…] npx tsx scripts/keeper-keystore.ts <out.json>
 * Without KEEPER_PRIVATE_KEY a fresh key is generated. Prints the address only, never the key.
 */
const out = process.argv[2];
const password = process.env.KEEPER_KEYSTORE_PASSWORD;
if (!out || !password) {
  process.stderr.write(
    "usage: KEEPER_KEYSTORE_PASSWORD=… [KEEPER_PRIVATE_KEY=0x…] npx tsx scripts/keeper-keystore.ts <out.json>\n",
  );
  process.exit(2);
}
const given = process.env.KEEPER_PRIVATE_KEY?.trim();
if (given !== undefined && !/^0x[0-9a-fA-F]{64}$/.test(given)) {
  process.stderr.write("KEEPER_PRIVATE_KEY must be 0x followed by 64 hex digits (value not shown)\n");
  process.exit(2);
}
const key = (given as Hex | undefined) ?? generatePrivateKey();
writeFileSync(out, `${JSON.stringify(encryptKeystore(key, password), null, 2)}\n`, {
  mode: 0o600,
  flag: "wx",
});
process.stdout.write(`${privateKeyToAddress(key)} → ${out}\n`);
