import { type Address, type Hex, parseUnits } from "viem";
import { projectArtifact, send } from "../deploy/lib/artifacts.js";
import type { Clients } from "../deploy/lib/clients.js";
import { deployLocalStack } from "../deploy/local/productStack.js";
import {
  DEFAULT_ROLE_INDICES,
  type GateExecution,
  gateExecute,
  provenanceHash,
  stackCalls,
} from "../deploy/product/stack.js";
import { type ReceiptLog, FLOOR_MODELS, floorGas } from "./gasFloor.js";

/** Accounts no other measurement uses: the stack's deployer and a depositor. */
const STACK_DEPLOYER = 14;
const DEPOSITOR = 15;
const USDC = (amount: string) => parseUnits(amount, 6);

export interface GatedSettlementGas {
  /** Receipt gasUsed of the keeper's settlement batch through the 2-of-3 gate, connectors empty. */
  readonly emptyConnectors: bigint;
  /** The same with Aave supplied, the Morpho ERC-4626 vault deposited and USDC on the Uniswap connector. */
  readonly fundedConnectors: bigint;
  readonly emptyFloor: number;
  readonly fundedFloor: number;
}

/**
 * The keeper's real settlement batch (`[vault.settle()]`, signed by two of the three operators and
 * submitted by the strategist) on the local product stack: the real KeeperGate, AccountingManager,
 * ValueOracle and the three real connectors over the local Aave v3, Morpho Blue and Uniswap v3. One
 * deposit is pending; the gate has executed before and the depositor is a returning one.
 */
export async function measureGatedSettlement(accounts: readonly Clients[]): Promise<GatedSettlementGas> {
  const deployer = accounts[STACK_DEPLOYER];
  const depositor = accounts[DEPOSITOR];
  if (!deployer || !depositor)
    throw new Error(`gated settlement needs accounts #${STACK_DEPLOYER}, #${DEPOSITOR}`);
  const roles = { ...DEFAULT_ROLE_INDICES, deployer: STACK_DEPLOYER };
  const { stack } = await deployLocalStack(deployer, { accounts, governance: "eoa", roles });
  const me = depositor.wallet.account.address;
  const erc20 = projectArtifact("MockERC20").abi;
  const vaultAbi = projectArtifact("AccountingManager").abi;
  const total = USDC("200000");
  await send(deployer, { address: stack.asset, abi: erc20, functionName: "transfer", args: [me, total] });
  await send(depositor, {
    address: stack.asset,
    abi: erc20,
    functionName: "approve",
    args: [stack.vault, total],
  });
  const requestDeposit = (amount: bigint) =>
    send(depositor, {
      address: stack.vault,
      abi: vaultAbi,
      functionName: "requestDeposit",
      args: [amount, me, me],
    });
  const settle = (label: string) =>
    gateExecute(stack, accounts, [stackCalls.settle(stack)], provenanceHash(`bench: ${label}`));
  const floorOf = async (run: GateExecution, model: string) => {
    const tx = await deployer.public.getTransaction({ hash: run.hash });
    const model_ = FLOOR_MODELS[model];
    if (!model_) throw new Error(`no floor model ${model}`);
    return floorGas(tx.input, run.receipt.logs as readonly ReceiptLog[], model_);
  };

  await requestDeposit(USDC("150000"));
  await settle("first epoch");
  await send(depositor, {
    address: stack.vault,
    abi: vaultAbi,
    functionName: "deposit",
    args: [USDC("150000"), me, me],
  });

  await requestDeposit(USDC("1000"));
  const empty = await settle("empty connectors");

  const each = USDC("40000");
  const fund = (connector: Address) => stackCalls.transferToConnector(stack, connector, each);
  await gateExecute(
    stack,
    accounts,
    [
      fund(stack.connectors.aave),
      stackCalls.aaveSupply(stack, stack.asset, each),
      fund(stack.connectors.morpho),
      stackCalls.morphoDeposit(stack, each, 0n),
      fund(stack.connectors.uniswap),
    ],
    provenanceHash("bench: fund the connectors"),
  );
  await requestDeposit(USDC("1000"));
  const funded = await settle("funded connectors");
  for (const run of [empty, funded]) {
    if (run.receipt.status !== "success") throw new Error(`gated settlement reverted: ${run.hash as Hex}`);
  }
  return {
    emptyConnectors: empty.receipt.gasUsed,
    fundedConnectors: funded.receipt.gasUsed,
    emptyFloor: await floorOf(empty, "settle_gated_3empty"),
    fundedFloor: await floorOf(funded, "settle_gated_3funded"),
  };
}
