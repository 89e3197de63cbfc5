// What every page can reach: the client, the workspace in view, the clock for relative
// times and the live feed.

import { createContext } from "preact";

import type { RunyardClient, Workspace } from "./api.js";
import type { LiveFeed } from "./live.js";

export interface AppContext {
  api: RunyardClient;
  /** The workspace the route names, once loaded. */
  ws: Workspace | undefined;
  /** Reloads the workspace list (after one is created). */
  reloadWorkspaces: () => Promise<void>;
  /** Now, in ms; ticks every few seconds so relative times stay true. */
  now: number;
  live: LiveFeed | undefined;
  /** Signs out, showing `why` on the sign-in screen. */
  signOut: (why?: string) => void;
}

export const Ctx = createContext<AppContext>(undefined as unknown as AppContext);
