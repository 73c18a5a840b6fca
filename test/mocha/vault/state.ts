import type { Address } from "viem";
import type { VaultFixture } from "./fixture.js";

/** Everything a bad call could disturb: books, epochs, supply, and each user's balances and requests. */
export async function vaultState(fx: VaultFixture, users: readonly Address[]) {
  const { vault, lens, asset } = fx;
  const perUser = await Promise.all(
    users.map(async (user) => ({
      shares: await vault.read.balanceOf([user]),
      assets: await asset.read.balanceOf([user]),
      pendingDeposit: await vault.read.pendingDepositRequest([0n, user]),
      claimableDeposit: await vault.read.claimableDepositRequest([0n, user]),
      claimableDepositShares: await vault.read.maxMint([user]),
      pendingRedeem: await vault.read.pendingRedeemRequest([0n, user]),
      claimableRedeem: await vault.read.claimableRedeemRequest([0n, user]),
      claimableRedeemAssets: await vault.read.maxWithdraw([user]),
      cancelledDeposit: await vault.read.claimableCancelDepositRequest([0n, user]),
      cancelledRedeem: await vault.read.claimableCancelRedeemRequest([0n, user]),
    })),
  );
  return {
    perUser,
    pending: await vault.read.pendingTotals(),
    book: await vault.read.assetBook(),
    epochs: await lens.read.epochState([vault.address]),
    limits: await lens.read.limits([vault.address]),
    supply: await vault.read.totalSupply(),
    vaultAssets: await asset.read.balanceOf([vault.address]),
    fees: await lens.read.feeState([vault.address]),
    guardrails: await lens.read.guardrails([vault.address]),
  };
}
