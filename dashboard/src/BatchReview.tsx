/** The operator review of a batch (keeper/vault/review.ts, run on the server): each call decoded, the simulated changes. */
export type Review =
  | { readonly error: string }
  | {
      readonly calls: readonly {
        contract: string;
        functionName: string;
        args: readonly { name: string; type: string; value: string }[];
        text: string;
      }[];
      readonly note?: string;
      readonly simulation: { ok: true } | { ok: false; reason: string };
      readonly changes: readonly { label: string; text: string }[];
    };

export function BatchReview({ review, testId = "decoded-calls" }: { review: Review; testId?: string }) {
  if ("error" in review) return <p className="problem">review failed: {review.error}</p>;
  return (
    <>
      <p>note: {review.note ?? "(none)"}</p>
      <h4>Calls</h4>
      <ol data-testid={testId}>
        {review.calls.map((c, i) => (
          <li key={i}>
            <b>{c.contract}</b>.<b>{c.functionName}</b>(
            {c.args.map((a, j) => (
              <span key={j}>
                {j > 0 && ", "}
                {a.name}=<span className="arg">{a.value}</span>
              </span>
            ))}
            )
          </li>
        ))}
      </ol>
      <h4>Simulated at the gate, at the current state</h4>
      {review.simulation.ok ? (
        <table data-testid="changes">
          <tbody>
            {review.changes.map((c) => (
              <tr key={c.label}>
                <th>{c.label}</th>
                <td>{c.text}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="problem" data-testid="simulation-revert">
          REVERTS with {review.simulation.reason}
        </p>
      )}
    </>
  );
}
