/** One labelled figure of a view's summary row. */
export function Card({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="card" data-testid={testId}>
      <div className="label">{label}</div>
      <div className="value">{value}</div>
    </div>
  );
}
