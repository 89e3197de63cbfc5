// The Runyard API client: openapi-fetch typed by the generated `paths`, a bearer token on
// every request, and problem+json errors as `RunyardProblem`.
//
// Only `fetch` is used, so this runs in browsers as well as in Node.

import createClient, { type Client, type ClientOptions } from "openapi-fetch";
import type { components, paths } from "./schema.js";

export type { components, operations, paths } from "./schema.js";

/** The API's named schemas, e.g. `Schemas["Job"]`. */
export type Schemas = components["schemas"];

/** A problem detail (RFC 9457) as the server sends it. */
export type Problem = Schemas["Problem"];

/** A typed client: `client.GET("/v1/workspaces/{ws}", { params: { path: { ws } } })`. */
export type RunyardClient = Client<paths>;

export interface RunyardClientOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** A user's JWT, or a runner's token (`ryr_…`) for `/v1/runner/*`. */
  token?: string;
  /** Extra headers for every request. */
  headers?: Record<string, string>;
  /** A fetch to use instead of `globalThis.fetch`. */
  fetch?: ClientOptions["fetch"];
}

/** A client for `baseUrl` that sends `Authorization: Bearer <token>` on every request. */
export function createRunyardClient(options: RunyardClientOptions): RunyardClient {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) {
    headers["Authorization"] = `Bearer ${options.token}`;
  }
  return createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    headers,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

/** An error answer from the server, carrying its problem detail. */
export class RunyardProblem extends Error {
  /** The HTTP status. */
  readonly status: number;
  /** Stable machine-readable code, e.g. `not_found`, `validation_failed`. */
  readonly code: string;
  /** Short summary of the kind of problem. */
  readonly title: string;
  /** What went wrong this time. */
  readonly detail: string;
  /** The request field at fault, for input errors. */
  readonly field: string | undefined;
  /** `urn:runyard:problem:<code>`. */
  readonly type: string;

  constructor(problem: Problem) {
    super(`${problem.status} ${problem.code}: ${problem.detail}`);
    this.name = "RunyardProblem";
    this.status = problem.status;
    this.code = problem.code;
    this.title = problem.title;
    this.detail = problem.detail;
    this.field = problem.field;
    this.type = problem.type;
  }

  /**
   * The problem an error answer describes. An answer that is not a problem detail (say, a
   * proxy's HTML page) becomes one with code `http_<status>` and the body as its detail.
   */
  static from(error: unknown, response: Response): RunyardProblem {
    if (isProblem(error)) {
      return new RunyardProblem(error);
    }
    const body = typeof error === "string" ? error : error === undefined ? "" : JSON.stringify(error);
    return new RunyardProblem({
      type: "about:blank",
      title: response.statusText || `HTTP ${response.status}`,
      status: response.status,
      code: `http_${response.status}`,
      detail: body.slice(0, 500) || `the server answered ${response.status} with no body`,
    });
  }
}

function isProblem(value: unknown): value is Problem {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v["status"] === "number" &&
    typeof v["code"] === "string" &&
    typeof v["title"] === "string" &&
    typeof v["detail"] === "string" &&
    typeof v["type"] === "string"
  );
}

/** What every openapi-fetch call resolves to. */
interface Outcome {
  data?: unknown;
  error?: unknown;
  response: Response;
}

/** The success body of an openapi-fetch result (`undefined` for 204). */
export type DataOf<R> = R extends { data: infer D } ? D : never;

/**
 * The data of a call, or a thrown `RunyardProblem`:
 * `const ws = await unwrap(client.POST("/v1/workspaces", { body }))`.
 */
export async function unwrap<R extends Outcome>(call: R | Promise<R>): Promise<DataOf<R>> {
  const { data, error, response } = await call;
  if (!response.ok) {
    throw RunyardProblem.from(error, response);
  }
  return data as DataOf<R>;
}
