import { type Hex, maxUint256, parseUnits } from "viem";
import { deploy, projectArtifact, send } from "../deploy/lib/artifacts.js";
import type { Clients } from "../deploy/lib/clients.js";
import { deployMockToken, mintMockToken } from "../deploy/protocols/tokens.js";

/** Receipt gasUsed of a plain OpenZeppelin 5 ERC-4626 vault's deposit and redeem (the comparison point). */
export interface Oz4626Gas {
  readonly deposit: bigint;
  readonly redeem: bigint;
}

const USDC = (amount: string) => parseUnits(amount, 6);

async function gasOf(clients: Clients, hash: Promise<Hex>): Promise<bigint> {
  return (await clients.public.getTransactionReceipt({ hash: await hash })).gasUsed;
}

/**
 * Deploys contracts/mocks/PlainERC4626 over a 6-decimal token and measures, under the same warm-storage
 * conditions as the vault's figures, a returning user's deposit (already a holder, unlimited approval,
 * another holder present) and a partial redeem that leaves shares behind.
 */
export async function measureOz4626Gas(
  admin: Clients,
  users: readonly [Clients, Clients],
): Promise<Oz4626Gas> {
  const token = await deployMockToken(admin, "USD Coin", "USDC", 6);
  const vault = await deploy(admin, projectArtifact("PlainERC4626"), [token]);
  const abi = projectArtifact("PlainERC4626").abi;
  for (const user of users) {
    await mintMockToken(admin, token, user.wallet.account.address, USDC("1000000"));
    await send(user, {
      address: token,
      abi: projectArtifact("MockERC20").abi,
      functionName: "approve",
      args: [vault, maxUint256],
    });
  }
  const [alice, bob] = users;
  const me = (c: Clients) => c.wallet.account.address;
  const deposit = (c: Clients, amount: bigint) =>
    send(c, { address: vault, abi, functionName: "deposit", args: [amount, me(c)] });
  await deposit(bob, USDC("1000"));
  await deposit(alice, USDC("1000"));
  const depositGas = await gasOf(alice, deposit(alice, USDC("100")));
  const redeemGas = await gasOf(
    alice,
    send(alice, { address: vault, abi, functionName: "redeem", args: [USDC("10"), me(alice), me(alice)] }),
  );
  return { deposit: depositGas, redeem: redeemGas };
}
