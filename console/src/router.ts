// Hash routes (`#/w/acme/jobs/ID`), so the server serves one page and needs no fallback.

import { useEffect, useState } from "preact/hooks";

export type Route =
  | { page: "home" }
  | { page: "workspaces" }
  | { page: "overview"; ws: string }
  | { page: "jobs"; ws: string; query: URLSearchParams }
  | { page: "job"; ws: string; id: string }
  | { page: "tasks"; ws: string }
  | { page: "task"; ws: string; id: string }
  | { page: "runners"; ws: string }
  | { page: "missing"; path: string };

export function parse(hash: string): Route {
  const raw = hash.replace(/^#/, "") || "/";
  const [pathPart = "/", queryPart = ""] = raw.split("?", 2);
  const query = new URLSearchParams(queryPart);
  const parts = pathPart.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { page: "home" };
  if (parts.length === 1 && parts[0] === "workspaces") return { page: "workspaces" };
  if (parts[0] === "w" && parts.length === 2) return { page: "overview", ws: parts[1]! };
  if (parts[0] === "w" && parts.length >= 3) {
    const ws = parts[1]!;
    const [, , section, id, ...rest] = parts;
    if (rest.length === 0) {
      if (section === "jobs" && id === undefined) return { page: "jobs", ws, query };
      if (section === "jobs" && id !== undefined) return { page: "job", ws, id };
      if (section === "tasks" && id === undefined) return { page: "tasks", ws };
      if (section === "tasks" && id !== undefined) return { page: "task", ws, id };
      if (section === "runners" && id === undefined) return { page: "runners", ws };
      if (section === "overview" && id === undefined) return { page: "overview", ws };
    }
  }
  return { page: "missing", path: pathPart };
}

const enc = encodeURIComponent;

export const href = {
  home: () => "#/",
  workspaces: () => "#/workspaces",
  overview: (ws: string) => `#/w/${enc(ws)}`,
  jobs: (ws: string, query?: Record<string, string | undefined>) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v) q.set(k, v);
    const s = q.toString();
    return `#/w/${enc(ws)}/jobs${s ? `?${s}` : ""}`;
  },
  job: (ws: string, id: string) => `#/w/${enc(ws)}/jobs/${enc(id)}`,
  tasks: (ws: string) => `#/w/${enc(ws)}/tasks`,
  task: (ws: string, id: string) => `#/w/${enc(ws)}/tasks/${enc(id)}`,
  runners: (ws: string) => `#/w/${enc(ws)}/runners`,
};

export function navigate(to: string, replace = false): void {
  if (replace) {
    history.replaceState(null, "", to);
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  } else {
    location.hash = to;
  }
}

/** The current route, updated on every hash change. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parse(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parse(location.hash));
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}
