// Log lines in a windowed view: rows have a fixed height and only those in sight (plus a
// margin) are in the DOM, so a job with hundreds of thousands of lines scrolls as fast as
// one with ten. Lines arrive in pages (`after_seq`) as the reader scrolls or follows, and
// then live from the log stream until the job ends.

import { useContext, useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";

import { isTerminal, unwrap, type JobStatus, type Schemas, type Workspace } from "../api.js";
import { Ctx } from "../context.js";
import { count } from "../format.js";
import { follow } from "../sse.js";
import { ProblemBox } from "../ui.js";

export const ROW_HEIGHT = 20;
const OVERSCAN = 30;
const PAGE = 2000;
const FIT_ROWS = 18;

export interface Line {
  seq: number;
  stream: string;
  body: string;
  /** `debug`, `info`, `warn` or `error`, when the runner gave one. */
  level?: string | null;
}

/** The levels a log can be filtered to, least first. */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
type LogLevel = (typeof LOG_LEVELS)[number];

const toLine = ({ seq, stream, body, level }: Schemas["LogEntry"]): Line => ({ seq, stream, body, level });

/** Lines in a fixed-row-height window; `onNearEnd` fires when the reader nears the bottom. */
export function LineWindow({
  lines,
  version,
  stick,
  onScrolledAway,
  onNearEnd,
  label,
  emptyText,
  fit = false,
}: {
  lines: Line[];
  /** Changes whenever `lines` grew (the array itself is appended to in place). */
  version: number;
  /** Keep the view at the bottom as lines arrive. */
  stick: boolean;
  onScrolledAway?: () => void;
  onNearEnd?: () => void;
  label: string;
  emptyText: string;
  /** Shrink to the lines when they are few; past `FIT_ROWS` the usual height holds. */
  fit?: boolean;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  const [height, setHeight] = useState(400);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    setHeight(el.clientHeight);
    return () => observer.disconnect();
  }, []);

  useLayoutEffect(() => {
    const el = box.current;
    if (el && stick) {
      el.scrollTop = el.scrollHeight;
      setTop(el.scrollTop);
    }
  }, [version, stick, lines.length]);

  // A short log never scrolls: ask for more as soon as what is loaded fits.
  useEffect(() => {
    if (lines.length * ROW_HEIGHT < height + ROW_HEIGHT * OVERSCAN) onNearEnd?.();
  }, [version, height]);

  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    setTop(el.scrollTop);
    const fromBottom = el.scrollHeight - el.scrollTop - el.clientHeight;
    if (fromBottom > ROW_HEIGHT * 2) onScrolledAway?.();
    if (fromBottom < ROW_HEIGHT * OVERSCAN * 2) onNearEnd?.();
  };

  const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(lines.length, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
  const rows = [];
  for (let i = first; i < last; i++) {
    const line = lines[i]!;
    rows.push(
      <div class={`line ${line.stream}${line.level ? ` lvl-${line.level}` : ""}`} data-level={line.level ?? undefined} key={line.seq}>
        <span class="ln" aria-hidden="true">
          {line.seq}
        </span>
        {line.level && <span class="lv">{line.level}</span>}
        <span class="lb">{line.body}</span>
      </div>,
    );
  }
  return (
    <div
      class="log"
      ref={box}
      onScroll={onScroll}
      tabIndex={0}
      role="log"
      aria-live="off"
      aria-label={label}
      data-lines={lines.length}
      style={
        fit && lines.length < FIT_ROWS
          ? { height: `${Math.max(2, lines.length) * ROW_HEIGHT + 16}px`, minHeight: "0" }
          : undefined
      }
    >
      {lines.length === 0 ? (
        <div class="log-empty">{emptyText}</div>
      ) : (
        <div class="log-space" style={{ height: `${lines.length * ROW_HEIGHT}px` }}>
          <div class="log-rows" style={{ transform: `translateY(${first * ROW_HEIGHT}px)` }}>
            {rows}
          </div>
        </div>
      )}
    </div>
  );
}

type Phase = "paging" | "caught-up" | "streaming" | "ended";

/** A job's log: pages, then the live tail while the job runs. */
export function JobLog({ ws, jobId, status }: { ws: Workspace; jobId: string; status: JobStatus }) {
  const { api } = useContext(Ctx);
  const lines = useRef<Line[]>([]);
  const [version, setVersion] = useState(0);
  const [stick, setStick] = useState(!isTerminal(status));
  const [phase, setPhase] = useState<Phase>("paging");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [wanted, setWanted] = useState(true);
  // The minimum level shown ("" for every line); changing it reloads the log.
  const [level, setLevel] = useState<LogLevel | "">("");
  const levelNow = useRef<LogLevel | "">("");
  const terminal = isTerminal(status);
  const lastSeq = () => lines.current[lines.current.length - 1]?.seq ?? 0;

  const append = (items: Line[]) => {
    const last = lastSeq();
    const fresh = items.filter((l) => l.seq > last);
    if (fresh.length === 0) return;
    for (const l of fresh) lines.current.push(l);
    setVersion((v) => v + 1);
  };

  // Pages: one at a time, while the reader follows or nears the end of what is loaded.
  // An answer that arrives after the view moved on (another job) is dropped.
  const inflight = useRef(false);
  const alive = useRef(true);
  useEffect(
    () => () => {
      alive.current = false;
    },
    [],
  );
  useEffect(() => {
    if (phase !== "paging" || inflight.current || !(wanted || stick) || error) return;
    inflight.current = true;
    setBusy(true);
    const asked = level;
    (async () => {
      try {
        const query = { after_seq: lastSeq(), limit: PAGE, ...(asked ? { level: asked } : {}) };
        const page = await unwrap(
          api.GET("/v1/workspaces/{ws}/runner-jobs/{id}/logs", {
            params: { path: { ws: ws.slug, id: jobId }, query },
          }),
        );
        // Dropped when the view moved on, or the filter changed meanwhile.
        if (!alive.current || levelNow.current !== asked) return;
        append(page.items.map(toLine));
        if (!page.next_cursor) setPhase("caught-up");
        setWanted(false);
      } catch (e) {
        if (alive.current) setError(e);
      } finally {
        inflight.current = false;
        if (alive.current) setBusy(false);
      }
    })();
  }, [phase, busy, wanted, stick, error, level]);

  const chooseLevel = (next: LogLevel | "") => {
    levelNow.current = next;
    lines.current = [];
    setVersion((v) => v + 1);
    setLevel(next);
    setWanted(true);
    setPhase("paging");
  };

  // Caught up: a finished job's log is complete; a running job's continues live.
  useEffect(() => {
    // A retried job writes more lines: page on from where the log stopped.
    if (phase === "ended" && !terminal) setPhase("paging");
    if (phase === "caught-up" && terminal) setPhase("ended");
    if (phase !== "caught-up" || terminal) return;
    setPhase("streaming");
  }, [phase, terminal]);

  useEffect(() => {
    if (phase !== "streaming") return;
    const stop = follow({
      lastEventId: String(lastSeq()),
      open: (lastEventId, signal) =>
        api.GET("/v1/workspaces/{ws}/runner-jobs/{id}/logs/stream", {
          params: {
            path: { ws: ws.slug, id: jobId },
            query: level ? { level } : {},
            // The id of a log event is its seq, as the server wrote it.
            header: lastEventId ? { "Last-Event-ID": lastEventId } : {},
          },
          parseAs: "stream",
          signal,
        }),
      onEvent: (event) => {
        if (event.type === "end") {
          setPhase("ended");
          return "stop";
        }
        if (event.type !== "log") return;
        try {
          append([toLine(JSON.parse(event.data) as Schemas["LogEntry"])]);
        } catch {
          // Not a log entry: skip it.
        }
        return undefined;
      },
      onState: (state, refused) => {
        if (state === "closed" && refused) setError(new Error(`the log stream answered ${refused.response.status}`));
      },
    });
    return stop;
  }, [phase, ws.slug, jobId, level]);

  const n = lines.current.length;
  const state =
    phase === "streaming"
      ? "Live"
      : phase === "ended"
        ? "Complete"
        : busy
          ? "Loading…"
          : "Scroll for more";
  return (
    <section class="card section" aria-labelledby="log-title">
      <div class="section-head">
        <h2 id="log-title">Log</h2>
        <span class="muted log-count" data-phase={phase}>
          {count(n, "line")} · {state}
        </span>
        <div class="section-tools">
          <label class="log-level">
            <span>Level</span>
            <select
              aria-label="Minimum log level"
              value={level}
              onChange={(e) => chooseLevel(e.currentTarget.value as LogLevel | "")}
            >
              <option value="">All lines</option>
              {LOG_LEVELS.map((l) => (
                <option key={l} value={l}>
                  {l} and above
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            class={`btn small ${stick ? "on" : ""}`}
            aria-pressed={stick}
            onClick={() => setStick((s) => !s)}
            title="Keep the newest lines in view, loading every page"
          >
            {stick ? "Following" : "Follow"}
          </button>
        </div>
      </div>
      <ProblemBox error={error} onDismiss={() => setError(undefined)} />
      <LineWindow
        lines={lines.current}
        version={version}
        stick={stick}
        label="Job log"
        fit={terminal && phase === "ended"}
        emptyText={terminal ? "This job printed nothing." : "No output yet. Lines appear here as the runner sends them."}
        onScrolledAway={() => setStick(false)}
        onNearEnd={() => setWanted(true)}
      />
    </section>
  );
}
