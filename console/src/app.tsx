// The shell: sign-in, the top bar (workspace switcher, navigation, live status, sign
// out) and the page the route names.

import { useCallback, useEffect, useMemo, useState } from "preact/hooks";

import {
  describe,
  forgetToken,
  makeClient,
  savedToken,
  saveToken,
  tokenSubject,
  unwrap,
  type RunyardClient,
  type Workspace,
} from "./api.js";
import { Ctx, type AppContext } from "./context.js";
import { LiveFeed } from "./live.js";
import { JobPage } from "./pages/job.js";
import { JobsPage } from "./pages/jobs.js";
import { OverviewPage } from "./pages/overview.js";
import { RunnersPage } from "./pages/runners.js";
import { TaskPage } from "./pages/task.js";
import { TasksPage } from "./pages/tasks.js";
import { WorkspacesPage } from "./pages/workspaces.js";
import { href, navigate, parse, useRoute, type Route } from "./router.js";
import type { StreamState } from "./sse.js";
import { Empty, Loading, ProblemBox } from "./ui.js";

const LAST_WORKSPACE_KEY = "runyard.workspace";

export function App() {
  const [token, setToken] = useState<string | null>(() => savedToken());
  const [why, setWhy] = useState<string | undefined>(undefined);
  const signOut = useCallback((reason?: string) => {
    forgetToken();
    setWhy(reason);
    setToken(null);
  }, []);
  if (!token) {
    return (
      <SignIn
        why={why}
        onSignedIn={(t) => {
          setWhy(undefined);
          setToken(t);
        }}
      />
    );
  }
  return <Shell token={token} signOut={signOut} />;
}

function SignIn({ why, onSignedIn }: { why: string | undefined; onSignedIn: (token: string) => void }) {
  const [token, setToken] = useState("");
  const [remember, setRemember] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    document.title = "Sign in · Runyard";
  }, []);
  const submit = async (e: Event) => {
    e.preventDefault();
    const value = token.trim().replace(/^Bearer\s+/i, "");
    if (!value) return;
    setBusy(true);
    setError(undefined);
    try {
      // Any authenticated call proves the token; this one is needed next anyway.
      await unwrap(makeClient(value).GET("/v1/workspaces"));
      saveToken(value, remember);
      onSignedIn(value);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="signin">
      <form class="card signin-card" onSubmit={submit} aria-labelledby="signin-title">
        <div class="brand big">
          <Logo /> Runyard
        </div>
        <h1 id="signin-title">Sign in</h1>
        <p class="muted">
          Paste an API token. <code>cargo run</code> prints a development token when the server starts; mint another
          with <code>runyard token --sub NAME</code>.
        </p>
        {why && (
          <p class="notice" role="status">
            {why}
          </p>
        )}
        <ProblemBox error={error} />
        <div class="field">
          <label for="token">Token</label>
          <input
            id="token"
            name="token"
            type="password"
            autocomplete="off"
            spellcheck={false}
            required
            value={token}
            onInput={(e) => setToken(e.currentTarget.value)}
            placeholder="eyJhbGciOi…"
          />
        </div>
        <label class="check">
          <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.currentTarget.checked)} />
          Remember me on this device
        </label>
        <button class="btn primary wide" type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
        <p class="hint">
          Without “remember me” the token lives in this tab only and is gone when it closes. The API reference is at{" "}
          <a href="./docs">/docs</a>.
        </p>
      </form>
    </main>
  );
}

export function Logo() {
  return (
    <svg class="logo" viewBox="0 0 32 32" width="24" height="24" aria-hidden="true">
      <rect width="32" height="32" rx="7" fill="var(--accent)" />
      <path
        d="M9 23V9h8a4.5 4.5 0 0 1 0 9h-8m7 0 6 5"
        fill="none"
        stroke="white"
        stroke-width="3"
        stroke-linecap="round"
        stroke-linejoin="round"
      />
    </svg>
  );
}

function wsOf(route: Route): string | undefined {
  return "ws" in route ? route.ws : undefined;
}

function Shell({ token, signOut }: { token: string; signOut: (why?: string) => void }) {
  const api: RunyardClient = useMemo(() => makeClient(token), [token]);
  const route = useRoute();
  const [workspaces, setWorkspaces] = useState<Workspace[] | undefined>(undefined);
  const [loadError, setLoadError] = useState<unknown>(undefined);
  const [now, setNow] = useState(() => Date.now());
  const [liveState, setLiveState] = useState<StreamState | undefined>(undefined);
  const [live, setLive] = useState<LiveFeed | undefined>(undefined);

  const reloadWorkspaces = useCallback(async () => {
    try {
      const list = await unwrap(api.GET("/v1/workspaces"));
      setWorkspaces(list.items);
      setLoadError(undefined);
    } catch (e) {
      if (describe(e).status === 401) signOut("Your session has ended: sign in again.");
      else setLoadError(e);
    }
  }, [api, signOut]);

  useEffect(() => {
    void reloadWorkspaces();
  }, [reloadWorkspaces]);

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 5000);
    return () => clearInterval(timer);
  }, []);

  const wsKey = wsOf(route);
  const ws = workspaces?.find((w) => w.slug === wsKey || w.id === wsKey);

  useEffect(() => {
    if (!ws) return;
    localStorage.setItem(LAST_WORKSPACE_KEY, ws.slug);
    const feed = new LiveFeed(api, ws.slug, setLiveState);
    setLive(feed);
    return () => {
      feed.close();
      setLive(undefined);
      setLiveState(undefined);
    };
  }, [api, ws?.id]);

  // The home route goes to the last workspace used, else the first, else to creating one.
  useEffect(() => {
    // The route may be stale by now: a link followed meanwhile wins over this redirect.
    if (route.page !== "home" || !workspaces || parse(location.hash).page !== "home") return;
    const last = localStorage.getItem(LAST_WORKSPACE_KEY);
    const target = workspaces.find((w) => w.slug === last) ?? workspaces[0];
    navigate(target ? href.overview(target.slug) : href.workspaces(), true);
  }, [route, workspaces]);

  const ctx: AppContext = { api, ws, reloadWorkspaces, now, live, signOut };
  const subject = tokenSubject(token);

  let body;
  if (loadError && !workspaces) {
    body = <ProblemBox error={loadError} />;
  } else if (!workspaces) {
    body = <Loading what="workspaces" />;
  } else if (route.page === "workspaces" || route.page === "home") {
    body = <WorkspacesPage workspaces={workspaces} />;
  } else if (route.page === "missing") {
    body = (
      <Empty title="Nothing here">
        <p>
          There is no page at <code>{route.path}</code>. <a href={href.home()}>Go to your workspace</a>.
        </p>
      </Empty>
    );
  } else if (!ws) {
    body = (
      <Empty title="Workspace not found">
        <p>
          You are not a member of <code>{wsKey}</code>, or it does not exist.{" "}
          <a href={href.workspaces()}>See your workspaces</a>.
        </p>
      </Empty>
    );
  } else if (route.page === "overview") {
    body = <OverviewPage ws={ws} />;
  } else if (route.page === "jobs") {
    body = <JobsPage ws={ws} query={route.query} />;
  } else if (route.page === "job") {
    body = <JobPage ws={ws} id={route.id} />;
  } else if (route.page === "tasks") {
    body = <TasksPage ws={ws} />;
  } else if (route.page === "task") {
    body = <TaskPage ws={ws} id={route.id} />;
  } else {
    body = <RunnersPage ws={ws} />;
  }

  const section = route.page === "job" ? "jobs" : route.page === "task" ? "tasks" : route.page;
  return (
    <Ctx.Provider value={ctx}>
      <a class="skip" href="#main" onClick={(e) => {
        e.preventDefault();
        document.getElementById("main")?.focus();
      }}>
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href={href.home()} aria-label="Runyard home">
          <Logo /> <span>Runyard</span>
        </a>
        {workspaces && (
          <WorkspaceSwitcher workspaces={workspaces} current={ws} />
        )}
        {ws && (
          <nav class="nav" aria-label="Sections">
            <a href={href.overview(ws.slug)} aria-current={section === "overview" ? "page" : undefined}>
              Overview
            </a>
            <a href={href.jobs(ws.slug)} aria-current={section === "jobs" ? "page" : undefined}>
              Jobs
            </a>
            <a href={href.tasks(ws.slug)} aria-current={section === "tasks" ? "page" : undefined}>
              Tasks
            </a>
            <a href={href.runners(ws.slug)} aria-current={section === "runners" ? "page" : undefined}>
              Runners
            </a>
          </nav>
        )}
        <div class="topbar-end">
          {ws && liveState && <LiveDot state={liveState} />}
          {subject && (
            <span class="who" title={`Signed in as ${subject}${ws ? `, ${ws.role} of ${ws.slug}` : ""}`}>
              {subject}
              {ws && <span class="role">{ws.role}</span>}
            </span>
          )}
          <button type="button" class="btn ghost small" onClick={() => signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" class="main" tabIndex={-1}>
        {body}
      </main>
    </Ctx.Provider>
  );
}

function LiveDot({ state }: { state: StreamState }) {
  const text = state === "open" ? "Live" : state === "closed" ? "Offline" : "Reconnecting…";
  return (
    <span class={`live live-${state}`} role="status" title="Updates from the workspace's event stream">
      <span class="dot" aria-hidden="true" />
      {text}
    </span>
  );
}

function WorkspaceSwitcher({ workspaces, current }: { workspaces: Workspace[]; current: Workspace | undefined }) {
  const NEW = "\u0000new";
  return (
    <div class="switcher">
      <label class="sr-only" for="workspace-switcher">
        Workspace
      </label>
      <select
        id="workspace-switcher"
        value={current?.slug ?? ""}
        onChange={(e) => {
          const value = e.currentTarget.value;
          navigate(value === NEW ? href.workspaces() : href.overview(value));
        }}
      >
        {!current && <option value="">Choose a workspace…</option>}
        {workspaces.map((w) => (
          <option key={w.id} value={w.slug}>
            {w.name} ({w.slug})
          </option>
        ))}
        <option value={NEW}>All workspaces / new…</option>
      </select>
    </div>
  );
}
