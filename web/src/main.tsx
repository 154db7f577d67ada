import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, ApiError, setCsrf, type AppView, type Me } from "./api";
import { LoginPage } from "./pages/login";
import { AppsPage } from "./pages/apps";
import { AppPage } from "./pages/app";
import { NewAppPage } from "./pages/new-app";
import { UsersPage } from "./pages/users";
import { AuditPage } from "./pages/audit";
import { TokensPage } from "./pages/tokens";
import { ErrorNotice, watchTables } from "./ui";

/** The route is the URL hash (#/apps/web/config), so the server serves one page for all of them. */
function useHashRoute(): string[] {
  const read = () => (location.hash.replace(/^#\/?/, "") || "apps").split("/").map(decodeURIComponent);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const on = () => setRoute(read());
    addEventListener("hashchange", on);
    return () => removeEventListener("hashchange", on);
  }, []);
  return route;
}

/** Every app the user may see, live: the server pushes a new list whenever a status changes. */
function useLiveApps(enabled: boolean): { apps: AppView[] | null; connected: boolean } {
  const [apps, setApps] = useState<AppView[] | null>(null);
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    if (!enabled) return;
    const es = new EventSource("/api/v1/events");
    es.addEventListener("apps", (e) => setApps(JSON.parse((e as MessageEvent).data)));
    es.onopen = () => setConnected(true);
    es.onerror = () => setConnected(false);
    return () => es.close();
  }, [enabled]);
  return { apps, connected };
}

function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [bootError, setBootError] = useState<unknown>(null);
  const route = useHashRoute();
  const live = useLiveApps(!!me);

  const loadMe = () =>
    api<Me>("GET", "/me")
      .then((m) => {
        if (m.csrf) setCsrf(m.csrf);
        setMe(m);
      })
      .catch((e) => (e instanceof ApiError && e.status === 401 ? setMe(null) : setBootError(e)));
  useEffect(() => {
    loadMe();
    const onUnauthorized = () => setMe(null);
    addEventListener("yk:unauthorized", onUnauthorized);
    return () => removeEventListener("yk:unauthorized", onUnauthorized);
  }, []);
  useEffect(() => {
    const names: Record<string, string> = {
      apps: "Apps",
      new: "New app",
      users: "Users",
      audit: "Audit log",
      tokens: "API tokens",
    };
    document.title = `${route[0] === "apps" && route[1] ? route[1] : (names[route[0]] ?? "Yadokari")} · Yadokari`;
  }, [route.join("/")]);

  if (bootError)
    return (
      <main>
        <ErrorNotice error={bootError} />
      </main>
    );
  if (me === undefined) return <p class="boot">Loading Yadokari…</p>;
  if (me === null) return <LoginPage onLoggedIn={loadMe} />;

  const logout = async () => {
    await api("DELETE", "/session").catch(() => {});
    setCsrf("");
    setMe(null);
    location.hash = "#/";
  };
  const nav = [
    ["apps", "Apps"],
    ["tokens", "API tokens"],
    ...(me.role === "admin"
      ? [
          ["users", "Users"],
          ["audit", "Audit log"],
        ]
      : []),
  ];
  let page;
  switch (route[0]) {
    case "apps":
      page = route[1] ? (
        <AppPage
          name={route[1]}
          tab={route[2] ?? "overview"}
          sub={route[3]}
          me={me}
          live={live.apps?.find((a) => a.name === route[1]) ?? null}
        />
      ) : (
        <AppsPage apps={live.apps} me={me} />
      );
      break;
    case "new":
      page = <NewAppPage />;
      break;
    case "users":
      page = <UsersPage />;
      break;
    case "audit":
      page = <AuditPage />;
      break;
    case "tokens":
      page = <TokensPage me={me} />;
      break;
    default:
      page = (
        <div class="empty">
          <h1>Not found</h1>
          <p>
            <a href="#/">Back to the apps</a>
          </p>
        </div>
      );
  }
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href="#/">
          <img src="/assets/icon.svg" alt="" /> Yadokari
        </a>
        <nav aria-label="Main">
          {nav.map(([key, label]) => (
            <a href={`#/${key}`} aria-current={route[0] === key ? "page" : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <div class="who">
          <span title={live.connected ? "Live updates connected" : "Live updates reconnecting"}>
            {live.connected ? "● live" : "○ reconnecting"}
          </span>
          <span>
            {me.name} <span class="hide-sm">({me.role})</span>
          </span>
          {me.via === "session" && (
            <button type="button" onClick={logout}>
              Log out
            </button>
          )}
        </div>
      </header>
      <main id="main">{page}</main>
    </>
  );
}

render(<App />, document.getElementById("root")!);
watchTables();
