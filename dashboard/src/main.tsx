import { StrictMode, Suspense, lazy, useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import { api, type Config } from "./api.js";
import "./style.css";

// each view is its own chunk: a page loads only the code of the view it shows
const TransparencyView = lazy(() =>
  import("./views/Transparency.js").then((m) => ({ default: m.TransparencyView })),
);
const DepositorView = lazy(() => import("./views/Depositor.js").then((m) => ({ default: m.DepositorView })));
const OperatorView = lazy(() => import("./views/Operator.js").then((m) => ({ default: m.OperatorView })));
const StrategistView = lazy(() =>
  import("./views/Strategist.js").then((m) => ({ default: m.StrategistView })),
);
const SignalsView = lazy(() => import("./views/Signals.js").then((m) => ({ default: m.SignalsView })));

const VIEWS = {
  transparency: { label: "Transparency", View: TransparencyView },
  depositor: { label: "Depositor", View: DepositorView },
  operator: { label: "Operator", View: OperatorView },
  strategist: { label: "Strategist", View: StrategistView },
  signals: { label: "Signals", View: SignalsView },
} as const;
type ViewKey = keyof typeof VIEWS;

function currentView(): ViewKey {
  const key = location.hash.replace(/^#\/?/, "");
  return key in VIEWS ? (key as ViewKey) : "transparency";
}

function App() {
  const [view, setView] = useState<ViewKey>(currentView);
  const [config, setConfig] = useState<Config>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    const onHash = () => setView(currentView());
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);
  useEffect(() => {
    let stop = false;
    const load = () =>
      api<Config>("/api/config")
        .then((c) => {
          if (stop) return;
          setConfig(c);
          setError(undefined);
          // a deployment problem (chain down, wrong chain) is re-checked until it is fixed
          if (!c.ok) setTimeout(load, 3000);
        })
        .catch((e: Error) => {
          if (stop) return;
          setError(e.message);
          setTimeout(load, 3000);
        });
    load();
    return () => {
      stop = true;
    };
  }, []);
  const { View } = VIEWS[view];
  return (
    <>
      <header>
        <h1>Agent vault</h1>
        <nav>
          {(Object.keys(VIEWS) as ViewKey[]).map((key) => (
            <a
              key={key}
              href={`#/${key}`}
              className={key === view ? "active" : ""}
              data-testid={`nav-${key}`}
            >
              {VIEWS[key].label}
            </a>
          ))}
        </nav>
        {config?.deployment && (
          <span className="chain">
            chain {config.deployment.chainId} · vault <code>{config.deployment.vault}</code>
          </span>
        )}
      </header>
      <main>
        {error && (
          <p className="problem" data-testid="problem">
            {error}
          </p>
        )}
        {config && !config.ok && (
          <p className="problem" data-testid="problem">
            {config.problem}
          </p>
        )}
        {!config && !error && <p>Loading…</p>}
        {config?.ok && config.deployment && (
          <Suspense fallback={<p>Loading…</p>}>
            <View config={config} deployment={config.deployment} />
          </Suspense>
        )}
      </main>
    </>
  );
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
