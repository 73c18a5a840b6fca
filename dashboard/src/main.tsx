import { StrictMode, Suspense, lazy, useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import { api, type Config } from "./api.js";
import { prefetch } from "./prefetch.js";
import "./style.css";

// each view is its own chunk: a page loads only the code of the view it shows
const LOADERS = {
  transparency: () => import("./views/Transparency.js").then((m) => ({ default: m.TransparencyView })),
  depositor: () => import("./views/Depositor.js").then((m) => ({ default: m.DepositorView })),
  operator: () => import("./views/Operator.js").then((m) => ({ default: m.OperatorView })),
  strategist: () => import("./views/Strategist.js").then((m) => ({ default: m.StrategistView })),
  signals: () => import("./views/Signals.js").then((m) => ({ default: m.SignalsView })),
};
const loading = new Map<keyof typeof LOADERS, ReturnType<(typeof LOADERS)[keyof typeof LOADERS]>>();
/** A view's chunk, fetched once: the page's first view starts loading with the page, not after /api/config. */
function load<K extends keyof typeof LOADERS>(key: K) {
  let chunk = loading.get(key);
  if (!chunk) {
    chunk = LOADERS[key]();
    loading.set(key, chunk);
  }
  return chunk;
}

const VIEWS = {
  transparency: { label: "Transparency", View: lazy(() => load("transparency")) },
  depositor: { label: "Depositor", View: lazy(() => load("depositor")) },
  operator: { label: "Operator", View: lazy(() => load("operator")) },
  strategist: { label: "Strategist", View: lazy(() => load("strategist")) },
  signals: { label: "Signals", View: lazy(() => load("signals")) },
} as const;
type ViewKey = keyof typeof VIEWS;

function currentView(): ViewKey {
  const key = location.hash.replace(/^#\/?/, "");
  return key in VIEWS ? (key as ViewKey) : "transparency";
}

/** What each view's first paint reads from the server, fetched with its code. */
const FIRST_DATA: Partial<Record<keyof typeof LOADERS, string>> = {
  transparency: "/api/history",
  operator: "/api/proposals",
  signals: "/api/signals",
};
{
  const first = currentView();
  void load(first);
  const data = FIRST_DATA[first];
  if (data) prefetch(data);
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
