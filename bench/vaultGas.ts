import { type Address, type Hex, maxUint256, parseUnits } from "viem";
import { deploy, projectArtifact, send } from "../deploy/lib/artifacts.js";
import type { Clients } from "../deploy/lib/clients.js";
import {
  defaultVaultConfig,
  deployRegistry,
  deployVault,
  seedPendingDeposits,
  vaultAbi,
} from "../deploy/product/core.js";
import { deployMockToken, mintMockToken } from "../deploy/protocols/tokens.js";
import { FLOOR_MODELS, type ReceiptLog, floorGas } from "./gasFloor.js";

/** Gas used (receipt gasUsed, intrinsic cost included) by each vault operation, warm where a user would be. */
export interface VaultGasReport {
  readonly requestDepositFirst: bigint;
  readonly requestDepositReturning: bigint;
  readonly requestDepositNewUserOpenEpoch: bigint;
  readonly requestRedeem: bigint;
  readonly requestRedeemFoldingASettledRequest: bigint;
  readonly claimDeposit: bigint;
  readonly claimMint: bigint;
  readonly claimRedeem: bigint;
  readonly claimWithdraw: bigint;
  /** Full deposit claim right after settlement by a holder who already holds shares (fold included). */
  readonly claimDepositFull: bigint;
  /** Full deposit claim by a first-time holder (its share balance slot is created). */
  readonly claimDepositFullFirstTime: bigint;
  /** The first, partial deposit claim after settlement (writes the claimable record). */
  readonly claimDepositFirstPartial: bigint;
  /** Full redeem claim right after settlement (fold included, claim record cleared). */
  readonly claimRedeemFull: bigint;
  /** The first, partial redeem claim after settlement. */
  readonly claimRedeemFirstPartial: bigint;
  /** Physical floor (bench/gasFloor.ts) of each figure above that has a floor model, by figure name. */
  readonly floors: Readonly<Record<string, number>>;
  readonly cancelDepositRequest: bigint;
  readonly claimCancelDepositRequest: bigint;
  readonly settleByConnectors: readonly { connectors: number; gas: bigint }[];
  readonly settleByPendingRequests: readonly { requests: number; gas: bigint }[];
}

const USDC = (amount: string) => parseUnits(amount, 6);

async function gasOf(clients: Clients, hash: Promise<Hex>): Promise<bigint> {
  return (await clients.public.getTransactionReceipt({ hash: await hash })).gasUsed;
}

/** Gas of the transaction and its physical floor under `FLOOR_MODELS[model]`. */
async function gasAndFloor(clients: Clients, hash: Promise<Hex>, model: string) {
  const txHash = await hash;
  const [receipt, tx] = await Promise.all([
    clients.public.getTransactionReceipt({ hash: txHash }),
    clients.public.getTransaction({ hash: txHash }),
  ]);
  const floorModel = FLOOR_MODELS[model];
  if (!floorModel) throw new Error(`no floor model ${model}`);
  return {
    gas: receipt.gasUsed,
    floor: floorGas(tx.input, receipt.logs as readonly ReceiptLog[], floorModel),
  };
}

/**
 * Deploys a fresh vault (registry governed and keeper-gated by `admin`) and measures every user-facing
 * operation plus settlement against connector count and pending-request count. `users` are two
 * funded accounts distinct from `admin`. Local chains only (uses MockERC20 and MockConnector).
 */
export async function measureVaultGas(
  admin: Clients,
  users: readonly [Clients, Clients],
  pendingCounts: readonly number[] = [1, 50, 200],
  connectorCounts: readonly number[] = [1, 2, 5],
): Promise<VaultGasReport> {
  const abi = vaultAbi();
  const as = (clients: Clients) => clients.wallet.account.address;
  const call = (clients: Clients, vault: Address, functionName: string, args: readonly unknown[] = []) =>
    send(clients, { address: vault, abi, functionName, args });

  async function freshVault(connectors: number) {
    const token = await deployMockToken(admin, "USD Coin", "USDC", 6);
    const registry = await deployRegistry(admin, as(admin));
    const vault = await deployVault(admin, {
      registry,
      asset: token,
      name: "Bench Vault",
      symbol: "bUSDC",
      config: defaultVaultConfig(as(admin)),
    });
    const registryAbi = projectArtifact("Registry").abi;
    await send(admin, {
      address: registry,
      abi: registryAbi,
      functionName: "registerVault",
      args: [
        vault,
        {
          asset: token,
          valueOracle: as(admin),
          swapHandler: as(admin),
          keeperGate: as(admin),
          guardian: as(admin),
          registered: true,
        },
      ],
    });
    for (let i = 0; i < connectors; i++) {
      const connector = await deploy(admin, projectArtifact("MockConnector"), [vault, token]);
      await send(admin, {
        address: registry,
        abi: registryAbi,
        functionName: "addConnector",
        args: [vault, connector, maxUint256 >> 128n],
      });
    }
    for (const user of [admin, ...users]) {
      await mintMockToken(admin, token, as(user), USDC("10000000"));
      await send(user, {
        address: token,
        abi: projectArtifact("MockERC20").abi,
        functionName: "approve",
        args: [vault, maxUint256],
      });
    }
    return { vault, token };
  }

  // User operations, on a vault where both users already went through a full cycle (warm slots).
  const { vault } = await freshVault(1);
  const [alice, bob] = users;
  const requestDepositFirst = await gasOf(
    alice,
    call(alice, vault, "requestDeposit", [USDC("1000"), as(alice), as(alice)]),
  );
  await call(bob, vault, "requestDeposit", [USDC("1000"), as(bob), as(bob)]);
  await call(admin, vault, "settle");
  await call(alice, vault, "deposit", [USDC("500"), as(alice), as(alice)]);
  const firstTime = await gasAndFloor(
    bob,
    call(bob, vault, "deposit", [USDC("1000"), as(bob), as(bob)]),
    "claimDeposit_fullFirstTime",
  );
  await call(alice, vault, "requestRedeem", [3n * 10n ** 14n, as(alice), as(alice)]);
  await call(bob, vault, "requestRedeem", [5n * 10n ** 14n, as(bob), as(bob)]);
  await call(admin, vault, "settle");
  await call(bob, vault, "redeem", [5n * 10n ** 14n, as(bob), as(bob)]);
  await call(bob, vault, "requestDeposit", [USDC("100"), as(bob), as(bob)]);

  const requestDepositReturning = await gasOf(
    alice,
    call(alice, vault, "requestDeposit", [USDC("100"), as(alice), as(alice)]),
  );
  const requestDepositNewUserOpenEpoch = await gasOf(
    admin,
    call(admin, vault, "requestDeposit", [USDC("100"), as(admin), as(admin)]),
  );
  const requestRedeem = await gasOf(bob, call(bob, vault, "requestRedeem", [10n ** 14n, as(bob), as(bob)]));
  const requestRedeemFoldingASettledRequest = await gasOf(
    alice,
    call(alice, vault, "requestRedeem", [10n ** 14n, as(alice), as(alice)]),
  );
  const claimDeposit = await gasAndFloor(
    alice,
    call(alice, vault, "deposit", [USDC("250"), as(alice), as(alice)]),
    "claimDeposit",
  );
  const claimMint = await gasOf(alice, call(alice, vault, "mint", [10n ** 14n, as(alice), as(alice)]));
  const claimRedeem = await gasAndFloor(
    alice,
    call(alice, vault, "redeem", [10n ** 14n, as(alice), as(alice)]),
    "claimRedeem",
  );
  const claimWithdraw = await gasOf(
    alice,
    call(alice, vault, "withdraw", [USDC("10"), as(alice), as(alice)]),
  );
  const cancelDepositRequest = await gasOf(
    alice,
    call(alice, vault, "cancelDepositRequest", [0n, as(alice)]),
  );
  const claimCancelDepositRequest = await gasOf(
    alice,
    call(alice, vault, "claimCancelDepositRequest", [0n, as(alice), as(alice)]),
  );

  // Claims right after a settlement, as most users meet them: the first claim folds the settled request.
  await call(alice, vault, "requestDeposit", [USDC("100"), as(alice), as(alice)]);
  await call(admin, vault, "settle");
  const full = await gasAndFloor(
    admin,
    call(admin, vault, "deposit", [USDC("100"), as(admin), as(admin)]),
    "claimDeposit_full",
  );
  const firstPartial = await gasAndFloor(
    bob,
    call(bob, vault, "deposit", [USDC("50"), as(bob), as(bob)]),
    "claimDeposit_firstPartial",
  );
  const redeemFull = await gasAndFloor(
    bob,
    call(bob, vault, "redeem", [10n ** 14n, as(bob), as(bob)]),
    "claimRedeem_full",
  );
  await call(bob, vault, "requestRedeem", [2n * 10n ** 14n, as(bob), as(bob)]);
  await call(admin, vault, "settle");
  const redeemFirstPartial = await gasAndFloor(
    bob,
    call(bob, vault, "redeem", [10n ** 14n, as(bob), as(bob)]),
    "claimRedeem_firstPartial",
  );

  // Settlement against the number of connectors, one deposit and one redeem pending, after a prior epoch.
  const settleByConnectors: { connectors: number; gas: bigint }[] = [];
  for (const connectors of connectorCounts) {
    const fresh = await freshVault(connectors);
    await call(alice, fresh.vault, "requestDeposit", [USDC("1000"), as(alice), as(alice)]);
    await call(admin, fresh.vault, "settle");
    await call(alice, fresh.vault, "deposit", [USDC("1000"), as(alice), as(alice)]);
    await call(bob, fresh.vault, "requestDeposit", [USDC("100"), as(bob), as(bob)]);
    await call(alice, fresh.vault, "requestRedeem", [10n ** 15n, as(alice), as(alice)]);
    settleByConnectors.push({ connectors, gas: await gasOf(admin, call(admin, fresh.vault, "settle")) });
  }

  // Settlement against the number of pending deposit requests (one connector).
  const settleByPendingRequests: { requests: number; gas: bigint }[] = [];
  for (const requests of pendingCounts) {
    const fresh = await freshVault(1);
    await call(alice, fresh.vault, "requestDeposit", [USDC("1000"), as(alice), as(alice)]);
    await call(admin, fresh.vault, "settle");
    await seedPendingDeposits(admin, {
      vault: fresh.vault,
      asset: fresh.token,
      count: requests,
      assets: USDC("10"),
    });
    settleByPendingRequests.push({ requests, gas: await gasOf(admin, call(admin, fresh.vault, "settle")) });
  }

  return {
    requestDepositFirst,
    requestDepositReturning,
    requestDepositNewUserOpenEpoch,
    requestRedeem,
    requestRedeemFoldingASettledRequest,
    claimDeposit: claimDeposit.gas,
    claimMint,
    claimRedeem: claimRedeem.gas,
    claimWithdraw,
    claimDepositFull: full.gas,
    claimDepositFullFirstTime: firstTime.gas,
    claimDepositFirstPartial: firstPartial.gas,
    claimRedeemFull: redeemFull.gas,
    claimRedeemFirstPartial: redeemFirstPartial.gas,
    floors: {
      claimDeposit: claimDeposit.floor,
      claimRedeem: claimRedeem.floor,
      claimDeposit_full: full.floor,
      claimDeposit_fullFirstTime: firstTime.floor,
      claimDeposit_firstPartial: firstPartial.floor,
      claimRedeem_full: redeemFull.floor,
      claimRedeem_firstPartial: redeemFirstPartial.floor,
    },
    cancelDepositRequest,
    claimCancelDepositRequest,
    settleByConnectors,
    settleByPendingRequests,
  };
}
