import { useState } from "react";
import type { Address, Hex, StateOverride } from "viem";
import { accountingManagerAbi } from "../../../keeper/abi/contracts.js";
import { allowanceOverride } from "../../../scripts/cli/allowance.js";
import { readVaultState, type VaultState } from "../../shared/vaultState.js";
import type { Config, Deployment } from "../api.js";
import { describe, publicClient } from "../chain.js";
import { parseAmount, time, units, usdc } from "../format.js";
import { usePolled } from "../hooks.js";
import { useWallet, type Wallet } from "../wallet.js";
import { Card } from "../Card.js";

const erc20Approve = [
  {
    type: "function",
    name: "approve",
    stateMutability: "nonpayable",
    inputs: [
      { name: "spender", type: "address" },
      { name: "value", type: "uint256" },
    ],
    outputs: [{ name: "", type: "bool" }],
  },
] as const;

type VaultFunction =
  | "requestDeposit"
  | "requestRedeem"
  | "cancelDepositRequest"
  | "cancelRedeemRequest"
  | "deposit"
  | "redeem"
  | "claimCancelDepositRequest"
  | "claimCancelRedeemRequest";

export function DepositorView({ deployment }: { config: Config; deployment: Deployment }) {
  const wallet = useWallet();
  const wrongChain = wallet.chainId !== undefined && wallet.chainId !== deployment.chainId;
  const state = usePolled(
    () => readVaultState(publicClient, deployment, wallet.account ? { account: wallet.account } : {}),
    4000,
    [wallet.account, deployment.vault],
  );
  return (
    <section data-testid="view-depositor">
      <h2>Depositor</h2>
      {!wallet.account ? (
        <button onClick={() => void wallet.connect()} data-testid="connect">
          Connect wallet
        </button>
      ) : (
        <p>
          connected <code data-testid="account">{wallet.account}</code> on chain {wallet.chainId}
        </p>
      )}
      {wallet.error && <p className="problem">{wallet.error}</p>}
      {wrongChain && (
        <p className="problem" data-testid="wrong-network">
          your wallet is on chain {wallet.chainId}; the vault is on chain {deployment.chainId}. Switch the
          wallet's network: nothing is sent until it matches.
        </p>
      )}
      {state.error && <p className="problem">chain read failed: {state.error}</p>}
      {state.value && <Position state={state.value} />}
      {state.value?.account && wallet.client && !wrongChain && (
        <Actions wallet={wallet} deployment={deployment} state={state.value} onDone={state.reload} />
      )}
    </section>
  );
}

function Position({ state }: { state: VaultState }) {
  const a = state.account;
  const s = (v: bigint) => `${units(v, state.shareDecimals, 4)} shares`;
  const due =
    state.settlementDueAt === 0n
      ? "nothing pending"
      : `the keeper settles each epoch; anyone may settle from ${time(state.settlementDueAt)}`;
  return (
    <>
      <div className="cards">
        <Card label="price per share" value={usdc(state.pricePerShare)} testId="pps" />
        <Card
          label="deposits"
          value={state.limits.depositsPaused ? "PAUSED" : "open"}
          testId="deposits-state"
        />
        <Card
          label="redemptions"
          value={state.limits.redeemsPaused ? "PAUSED" : "open"}
          testId="redeems-state"
        />
        <Card label="minimum request" value={usdc(state.limits.minRequestAssets)} />
        <Card label="next settlement" value={due} testId="next-settlement" />
        <Card
          label="settlement deadline"
          value={`${Number(state.guardrails.settlementDeadline) / 3600} h after a request`}
        />
      </div>
      {a && (
        <table data-testid="position">
          <tbody>
            <tr>
              <th>shares</th>
              <td data-testid="shares">{s(a.shares)}</td>
              <td>worth {usdc(a.value)}</td>
            </tr>
            <tr>
              <th>pending deposit</th>
              <td data-testid="pending-deposit">{usdc(a.pendingDeposit)}</td>
              <td>settles at the next settlement</td>
            </tr>
            <tr>
              <th>claimable deposit</th>
              <td data-testid="claimable-deposit">{usdc(a.claimableDeposit)}</td>
              <td>claim to receive the shares</td>
            </tr>
            <tr>
              <th>pending redemption</th>
              <td data-testid="pending-redeem">{s(a.pendingRedeem)}</td>
              <td>settles at the next settlement</td>
            </tr>
            <tr>
              <th>claimable redemption</th>
              <td data-testid="claimable-redeem">{s(a.claimableRedeemShares)}</td>
              <td>= {usdc(a.claimableRedeemAssets)}</td>
            </tr>
            <tr>
              <th>cancelled deposit</th>
              <td data-testid="cancelled-deposit">{usdc(a.cancelledDeposit)}</td>
              <td>claimable now</td>
            </tr>
            <tr>
              <th>cancelled redemption</th>
              <td data-testid="cancelled-redeem">{s(a.cancelledRedeem)}</td>
              <td>claimable now</td>
            </tr>
            <tr>
              <th>USDC in the wallet</th>
              <td data-testid="usdc-balance">{usdc(a.assetBalance)}</td>
              <td>allowance to the vault {usdc(a.allowance)}</td>
            </tr>
          </tbody>
        </table>
      )}
    </>
  );
}

function Actions({
  wallet,
  deployment,
  state,
  onDone,
}: {
  wallet: Wallet;
  deployment: Deployment;
  state: VaultState;
  onDone: () => void;
}) {
  const [depositText, setDepositText] = useState("");
  const [redeemText, setRedeemText] = useState("");
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const [busy, setBusy] = useState(false);
  const me = wallet.account!;
  const a = state.account!;

  /** Simulates first (with `override`), sends only if the simulation succeeds, waits for the receipt. */
  const run = async (label: string, steps: () => Promise<string>) => {
    setBusy(true);
    setMessage(undefined);
    try {
      setMessage({ ok: true, text: await steps() });
    } catch (error) {
      setMessage({
        ok: false,
        text: `${label}: ${error instanceof Refusal ? error.message : await describe(error)}`,
      });
    } finally {
      setBusy(false);
      onDone();
    }
  };
  const simulate = async (
    functionName: VaultFunction,
    args: readonly unknown[],
    stateOverride?: StateOverride,
  ) => {
    await publicClient.simulateContract({
      account: me,
      address: deployment.vault,
      abi: accountingManagerAbi,
      functionName,
      args: args as never,
      ...(stateOverride ? { stateOverride } : {}),
    });
  };
  const send = async (
    address: Address,
    abi: typeof accountingManagerAbi | typeof erc20Approve,
    functionName: string,
    args: readonly unknown[],
  ) => {
    const hash: Hex = await wallet.client!.writeContract({
      account: me,
      chain: null,
      address,
      abi,
      functionName: functionName as never,
      args: args as never,
    });
    const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 250 });
    if (receipt.status !== "success") throw new Refusal(`transaction ${hash} reverted`);
    return hash;
  };
  const vaultCall = (functionName: VaultFunction, args: readonly unknown[], done: string) =>
    run(functionName, async () => {
      await simulate(functionName, args);
      const hash = await send(deployment.vault, accountingManagerAbi, functionName, args);
      return `${done} (tx ${hash})`;
    });

  const requestDeposit = () =>
    run("request deposit", async () => {
      const amount = parseAmount(depositText, 6, "USDC amount");
      if (typeof amount === "string") throw new Refusal(amount);
      if (state.limits.depositsPaused)
        throw new Refusal("deposits are paused by the guardian; nothing was sent");
      if (amount > a.assetBalance)
        throw new Refusal(`you hold ${usdc(a.assetBalance)}, less than ${usdc(amount)}`);
      const args = [amount, me, me] as const;
      // simulate as if the exact allowance were given: approve only a request that would succeed
      const override =
        a.allowance >= amount
          ? undefined
          : await allowanceOverride({ public: publicClient }, deployment.asset, me, deployment.vault, amount);
      await simulate("requestDeposit", args, override);
      if (a.allowance < amount)
        await send(deployment.asset, erc20Approve, "approve", [deployment.vault, amount]);
      const hash = await send(deployment.vault, accountingManagerAbi, "requestDeposit", args);
      setDepositText("");
      return `requested a deposit of ${usdc(amount)}; it settles at the next settlement (tx ${hash})`;
    });
  const requestRedeem = () =>
    run("request redemption", async () => {
      const shares = parseAmount(redeemText, state.shareDecimals, "share amount");
      if (typeof shares === "string") throw new Refusal(shares);
      if (state.limits.redeemsPaused)
        throw new Refusal("redemptions are paused by the guardian; nothing was sent");
      if (shares > a.shares) throw new Refusal(`you hold ${units(a.shares, state.shareDecimals, 4)} shares`);
      const args = [shares, me, me] as const;
      await simulate("requestRedeem", args);
      const hash = await send(deployment.vault, accountingManagerAbi, "requestRedeem", args);
      setRedeemText("");
      return `requested to redeem ${units(shares, state.shareDecimals, 4)} shares (tx ${hash})`;
    });

  return (
    <div className="actions">
      <div className="action">
        <h3>Request a deposit</h3>
        <input
          value={depositText}
          onChange={(e) => setDepositText(e.target.value)}
          placeholder="USDC, e.g. 1000.50"
          data-testid="deposit-amount"
        />
        <button disabled={busy} onClick={() => void requestDeposit()} data-testid="request-deposit">
          Request deposit
        </button>
      </div>
      <div className="action">
        <h3>Request a redemption</h3>
        <input
          value={redeemText}
          onChange={(e) => setRedeemText(e.target.value)}
          placeholder="shares"
          data-testid="redeem-amount"
        />
        <button disabled={busy} onClick={() => void requestRedeem()} data-testid="request-redeem">
          Request redemption
        </button>
      </div>
      <div className="action">
        <h3>Cancel and claim</h3>
        <button
          disabled={busy || a.pendingDeposit === 0n}
          onClick={() =>
            void vaultCall(
              "cancelDepositRequest",
              [0n, me],
              "cancelled the pending deposit; claim it back below",
            )
          }
          data-testid="cancel-deposit"
        >
          Cancel pending deposit
        </button>
        <button
          disabled={busy || a.pendingRedeem === 0n}
          onClick={() => void vaultCall("cancelRedeemRequest", [0n, me], "cancelled the pending redemption")}
          data-testid="cancel-redeem"
        >
          Cancel pending redemption
        </button>
        <button
          disabled={busy || a.claimableDeposit === 0n}
          onClick={() =>
            void vaultCall("deposit", [a.claimableDeposit, me, me], "claimed the settled deposit's shares")
          }
          data-testid="claim-deposit"
        >
          Claim deposit shares
        </button>
        <button
          disabled={busy || a.claimableRedeemShares === 0n}
          onClick={() =>
            void vaultCall(
              "redeem",
              [a.claimableRedeemShares, me, me],
              "claimed the settled redemption's USDC",
            )
          }
          data-testid="claim-redeem"
        >
          Claim redemption USDC
        </button>
        <button
          disabled={busy || a.cancelledDeposit === 0n}
          onClick={() =>
            void vaultCall(
              "claimCancelDepositRequest",
              [0n, me, me],
              "claimed the cancelled deposit's USDC back",
            )
          }
          data-testid="claim-cancelled-deposit"
        >
          Claim cancelled deposit
        </button>
        <button
          disabled={busy || a.cancelledRedeem === 0n}
          onClick={() =>
            void vaultCall(
              "claimCancelRedeemRequest",
              [0n, me, me],
              "claimed the cancelled redemption's shares back",
            )
          }
          data-testid="claim-cancelled-redeem"
        >
          Claim cancelled redemption
        </button>
      </div>
      {busy && <p className="note">waiting for the wallet and the chain…</p>}
      {message && (
        <p className={message.ok ? "ok" : "problem"} data-testid="depositor-message">
          {message.text}
        </p>
      )}
    </div>
  );
}

/** A refusal the page decides itself (bad amount, paused side): shown as is, nothing sent. */
class Refusal extends Error {}
