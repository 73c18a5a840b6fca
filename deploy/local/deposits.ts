import type { Address } from "viem";
import { projectArtifact, send } from "../lib/artifacts.js";
import type { Clients } from "../lib/clients.js";

/**
 * `funder` sends `amount` of the vault's asset to `depositor`, who approves the vault for exactly that and
 * requests a deposit of all of it, as its own controller and owner.
 */
export async function fundAndRequestDeposit(
  funder: Clients,
  depositor: Clients,
  stack: { readonly asset: Address; readonly vault: Address },
  amount: bigint,
): Promise<void> {
  const me = depositor.wallet.account.address;
  const erc20 = projectArtifact("MockERC20").abi;
  await send(funder, { address: stack.asset, abi: erc20, functionName: "transfer", args: [me, amount] });
  await send(depositor, {
    address: stack.asset,
    abi: erc20,
    functionName: "approve",
    args: [stack.vault, amount],
  });
  await send(depositor, {
    address: stack.vault,
    abi: projectArtifact("AccountingManager").abi,
    functionName: "requestDeposit",
    args: [amount, me, me],
  });
}
