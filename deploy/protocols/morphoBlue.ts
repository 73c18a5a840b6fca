import { type Address, encodeAbiParameters, keccak256 } from "viem";
import { deploy, projectArtifact, send } from "../lib/artifacts.js";
import type { Clients } from "../lib/clients.js";

/** Morpho Blue's market key. */
export interface MorphoMarketParams {
  readonly loanToken: Address;
  readonly collateralToken: Address;
  readonly oracle: Address;
  readonly irm: Address;
  readonly lltv: bigint;
}

export interface MorphoBlueDeployment {
  readonly morpho: Address;
  readonly irm: Address;
}

/**
 * Deploys Morpho Blue 1.0.0 compiled from its npm sources (solc 0.8.19) and its own mock IRM,
 * and enables that IRM.
 */
export async function deployMorphoBlue(clients: Clients): Promise<MorphoBlueDeployment> {
  const morpho = await deploy(clients, projectArtifact("Morpho"), [clients.wallet.account.address]);
  const irm = await deploy(clients, projectArtifact("IrmMock"));
  await send(clients, {
    address: morpho,
    abi: projectArtifact("Morpho").abi,
    functionName: "enableIrm",
    args: [irm],
  });
  return { morpho, irm };
}

/** Morpho's market id: keccak256(abi.encode(marketParams)). */
export function morphoMarketId(params: MorphoMarketParams): `0x${string}` {
  return keccak256(
    encodeAbiParameters(
      [
        { type: "address" },
        { type: "address" },
        { type: "address" },
        { type: "address" },
        { type: "uint256" },
      ],
      [params.loanToken, params.collateralToken, params.oracle, params.irm, params.lltv],
    ),
  );
}

/**
 * Creates a market lending `loanToken` against `collateralToken`, priced by Morpho's own
 * OracleMock at `price` (scaled by 1e36 and the tokens' decimals, as Morpho specifies).
 */
export async function createMorphoMarket(
  clients: Clients,
  blue: MorphoBlueDeployment,
  market: { loanToken: Address; collateralToken: Address; price: bigint; lltv: bigint },
): Promise<MorphoMarketParams> {
  const morphoAbi = projectArtifact("Morpho").abi;
  const oracle = await deploy(clients, projectArtifact("OracleMock"));
  await send(clients, {
    address: oracle,
    abi: projectArtifact("OracleMock").abi,
    functionName: "setPrice",
    args: [market.price],
  });
  const lltvEnabled = await clients.public.readContract({
    address: blue.morpho,
    abi: morphoAbi,
    functionName: "isLltvEnabled",
    args: [market.lltv],
  });
  if (!lltvEnabled) {
    await send(clients, {
      address: blue.morpho,
      abi: morphoAbi,
      functionName: "enableLltv",
      args: [market.lltv],
    });
  }
  const params: MorphoMarketParams = {
    loanToken: market.loanToken,
    collateralToken: market.collateralToken,
    oracle,
    irm: blue.irm,
    lltv: market.lltv,
  };
  await send(clients, { address: blue.morpho, abi: morphoAbi, functionName: "createMarket", args: [params] });
  return params;
}
