import type { Address } from "viem";
import { deploy, projectArtifact, send } from "../lib/artifacts.js";
import type { Clients } from "../lib/clients.js";

/** Deploys a mintable ERC-20 (contracts/mocks/MockERC20.sol). */
export async function deployMockToken(
  clients: Clients,
  name: string,
  symbol: string,
  decimals: number,
): Promise<Address> {
  return deploy(clients, projectArtifact("MockERC20"), [name, symbol, decimals]);
}

/** Mints `amount` of a MockERC20 to `to`. */
export async function mintMockToken(
  clients: Clients,
  token: Address,
  to: Address,
  amount: bigint,
): Promise<void> {
  await send(clients, {
    address: token,
    abi: projectArtifact("MockERC20").abi,
    functionName: "mint",
    args: [to, amount],
  });
}

/** Deploys the local WETH9 (contracts/mocks/WETH9.sol). */
export async function deployWeth(clients: Clients): Promise<Address> {
  return deploy(clients, projectArtifact("WETH9"));
}
