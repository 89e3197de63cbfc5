// The session (a bearer token kept in the browser), the API client made from it, and
// the shapes the pages share.

import { createRunyardClient, RunyardProblem, type RunyardClient, type Schemas } from "@runyard/client";

export { unwrap } from "@runyard/client";
export type { RunyardClient, Schemas };

export type Workspace = Schemas["Workspace"];
export type Job = Schemas["Job"];
export type JobDetail = Schemas["JobDetail"];
export type JobStatus = Schemas["JobStatus"];
export type Role = Schemas["Role"];
export type WorkspaceEvent = Schemas["WorkspaceEvent"];

const TOKEN_KEY = "runyard.token";

/** The API lives on the origin that served the console. */
export function baseUrl(): string {
  return location.origin;
}

/** The saved token: this tab's (sessionStorage) first, else the remembered one (localStorage). */
export function savedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY) ?? localStorage.getItem(TOKEN_KEY);
}

/** Keeps the token for this tab only, or on this device too when `remember` is set. */
export function saveToken(token: string, remember: boolean): void {
  forgetToken();
  (remember ? localStorage : sessionStorage).setItem(TOKEN_KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(TOKEN_KEY);
}

export function makeClient(token: string): RunyardClient {
  return createRunyardClient({ baseUrl: baseUrl(), token });
}

/** The `sub` a JWT names, for display only (the server verifies tokens, not this). */
export function tokenSubject(token: string): string | undefined {
  const part = token.split(".")[1];
  if (!part) return undefined;
  try {
    const json = atob(part.replace(/-/g, "+").replace(/_/g, "/"));
    const sub = (JSON.parse(json) as { sub?: unknown }).sub;
    return typeof sub === "string" ? sub : undefined;
  } catch {
    return undefined;
  }
}

/** What an error shows: the problem's title and detail, or what the network said. */
export interface Shown {
  title: string;
  detail: string;
  status?: number;
  code?: string;
}

export function describe(error: unknown): Shown {
  if (error instanceof RunyardProblem) {
    return { title: error.title, detail: error.detail, status: error.status, code: error.code };
  }
  if (error instanceof Error) {
    return { title: "Could not reach the server", detail: error.message };
  }
  return { title: "Something went wrong", detail: String(error) };
}

export function isUnauthorized(error: unknown): boolean {
  return error instanceof RunyardProblem && error.status === 401;
}

export function isNotFound(error: unknown): boolean {
  return error instanceof RunyardProblem && error.status === 404;
}

const RANK: Record<Role, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

/** Whether the caller's role in `ws` is at least `needed`. */
export function can(ws: Workspace, needed: Role): boolean {
  return RANK[ws.role] >= RANK[needed];
}

export const JOB_STATUSES: JobStatus[] = [
  "PENDING",
  "QUEUED",
  "RUNNING",
  "PAUSED",
  "SUSPENDED",
  "COMPLETED",
  "FAILED",
  "CANCELLED",
];

export function isTerminal(status: JobStatus): boolean {
  return status === "COMPLETED" || status === "FAILED" || status === "CANCELLED";
}
