// One live connection to a workspace's event feed, shared by every page that wants to
// hear about changes (`useLiveEvents`), plus the throttled refresh they use it for.

import { useContext, useEffect, useRef } from "preact/hooks";

import type { RunyardClient, WorkspaceEvent } from "./api.js";
import { Ctx } from "./context.js";
import { follow, type StreamState } from "./sse.js";

type Listener = (event: WorkspaceEvent) => void;

export class LiveFeed {
  private readonly listeners = new Set<Listener>();
  private readonly stop: () => void;

  constructor(api: RunyardClient, ws: string, onState: (state: StreamState) => void) {
    this.stop = follow({
      // Without a cursor the stream starts now; reconnects resume from the last id.
      open: (lastEventId, signal) =>
        api.GET("/v1/workspaces/{ws}/events/stream", {
          params: { path: { ws }, header: lastEventId ? { "Last-Event-ID": lastEventId } : {} },
          parseAs: "stream",
          signal,
        }),
      onEvent: (message) => {
        let event: WorkspaceEvent;
        try {
          event = JSON.parse(message.data) as WorkspaceEvent;
        } catch {
          return;
        }
        for (const listener of this.listeners) listener(event);
      },
      onState,
    });
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.stop();
    this.listeners.clear();
  }
}

/** Calls `onEvent` for each event of the current workspace that `filter` accepts. */
export function useLiveEvents(filter: (event: WorkspaceEvent) => boolean, onEvent: () => void): void {
  const { live } = useContext(Ctx);
  const latest = useRef({ filter, onEvent });
  latest.current = { filter, onEvent };
  useEffect(() => {
    if (!live) return;
    return live.subscribe((event) => {
      if (latest.current.filter(event)) latest.current.onEvent();
    });
  }, [live]);
}

/**
 * A function that runs `task` soon, at most once per `gapMs` however often it is called,
 * and never twice at once: a burst of events costs one or two reloads, not one each.
 */
export function useThrottled(task: () => Promise<void> | void, gapMs = 400): () => void {
  const latest = useRef(task);
  latest.current = task;
  const state = useRef({ timer: 0 as ReturnType<typeof setTimeout> | 0, running: false, again: false });
  useEffect(
    () => () => {
      if (state.current.timer) clearTimeout(state.current.timer);
      state.current.timer = 0;
    },
    [],
  );
  const run = useRef(() => {});
  run.current = () => {
    const s = state.current;
    if (s.timer) return;
    if (s.running) {
      s.again = true;
      return;
    }
    s.timer = setTimeout(async () => {
      s.timer = 0;
      s.running = true;
      try {
        await latest.current();
      } finally {
        s.running = false;
        if (s.again) {
          s.again = false;
          run.current();
        }
      }
    }, gapMs);
  };
  return useRef(() => run.current()).current;
}
