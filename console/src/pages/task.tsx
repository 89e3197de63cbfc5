// One agent task: pause / resume / finish, its jobs (and a form to run one in it), the
// snapshot its last pause left, and its lifecycle events.

import { useContext, useEffect, useMemo, useState } from "preact/hooks";

import { can, isNotFound, unwrap, type Schemas, type Workspace } from "../api.js";
import { Ctx } from "../context.js";
import { actor, count, pretty, shortId } from "../format.js";
import { useLiveEvents, useThrottled } from "../live.js";
import { href } from "../router.js";
import { Badge, Empty, Field, Loading, ProblemBox, RelTime, useAction, useLoad } from "../ui.js";
import { commandOf, NewJob } from "./jobs.js";
import { LineWindow, type Line } from "./logview.js";
import { UsageFigures } from "./overview.js";

type TaskDetail = Schemas["TaskDetail"];

export function TaskPage({ ws, id }: { ws: Workspace; id: string }) {
  const { api } = useContext(Ctx);
  const path = { ws: ws.slug, id };
  const detail = useLoad(
    () => unwrap(api.GET("/v1/workspaces/{ws}/agent-tasks/{id}", { params: { path } })),
    [ws.slug, id],
  );
  const events = useLoad(
    () =>
      unwrap(
        api.GET("/v1/workspaces/{ws}/agent-tasks/{id}/events", { params: { path, query: { limit: 1000 } } }),
      ),
    [ws.slug, id],
  );
  const jobIds = useMemo(() => new Set(detail.data?.jobs.map((j) => j.id)), [detail.data]);
  const refresh = useThrottled(() => Promise.all([detail.reload(), events.reload()]).then(() => {}), 300);
  useLiveEvents((e) => e.task_id === id || (e.job_id !== undefined && e.job_id !== null && jobIds.has(e.job_id)), refresh);
  const task = detail.data?.task;
  useEffect(() => {
    document.title = `${task ? task.title : "Task"} · ${ws.name} · Runyard`;
  }, [task?.title, ws.name]);

  if (detail.error && isNotFound(detail.error)) {
    return (
      <div class="page">
        <Empty title="Task not found">
          <p>
            No task <code>{id}</code> in this workspace. <a href={href.tasks(ws.slug)}>Back to tasks</a>.
          </p>
        </Empty>
      </div>
    );
  }
  if (!detail.data || !task) {
    return (
      <div class="page">
        <ProblemBox error={detail.error} />
        {!detail.error && <Loading what="the task" />}
      </div>
    );
  }
  const pausing = task.status === "active" && Boolean(task.pause_requested_at);
  return (
    <div class="page">
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={href.tasks(ws.slug)}>Tasks</a> <span aria-hidden="true">/</span>{" "}
        <span class="mono">{shortId(task.id)}</span>
      </nav>
      <div class="page-head">
        <h1>{task.title}</h1>
        <Badge status={pausing ? "pausing" : task.status} />
      </div>
      <p class="muted">
        Created <RelTime iso={task.created_at} /> by <span class="mono">{task.created_by}</span> · last activity{" "}
        <RelTime iso={task.last_activity_at} />
        {task.paused_at && (
          <>
            {" "}
            · paused <RelTime iso={task.paused_at} />
            {task.pause_kind === "auto" && " (automatically, after inactivity)"}
          </>
        )}
        {task.pause_reason && <> · “{task.pause_reason}”</>}
      </p>
      <ProblemBox error={detail.error} />
      <TaskActions ws={ws} detail={detail.data} pausing={pausing} onDone={refresh} />
      <div class="split">
        <div class="split-main">
          <Snapshot ws={ws} detail={detail.data} />
          <TaskJobs ws={ws} detail={detail.data} onCreated={refresh} />
        </div>
        <aside class="split-side">
          <UsageFigures usage={detail.data.usage} id="task-usage-title" />
          <section class="card section" aria-labelledby="task-events-title">
            <h2 id="task-events-title">Events</h2>
            <ProblemBox error={events.error} />
            <ol class="events">
              {(events.data?.items ?? []).map((e) => (
                <li key={e.id} data-type={e.type}>
                  <span class="ev-seq mono muted">#{e.seq}</span>
                  <span class="ev-type">{e.type.replace(/^task_/, "").replace(/_/g, " ")}</span>
                  <span class="ev-actor mono muted" title={e.actor}>
              {actor(e.actor)}
            </span>
                  <RelTime iso={e.created_at} />
                </li>
              ))}
            </ol>
          </section>
        </aside>
      </div>
    </div>
  );
}

function TaskActions({
  ws,
  detail,
  pausing,
  onDone,
}: {
  ws: Workspace;
  detail: TaskDetail;
  pausing: boolean;
  onDone: () => void;
}) {
  const { api } = useContext(Ctx);
  const action = useAction();
  const [reason, setReason] = useState("");
  const task = detail.task;
  const path = { ws: ws.slug, id: task.id };
  if (!can(ws, "member")) {
    return <p class="muted">You are a viewer here: you can look, not act.</p>;
  }
  const finished = ["completed", "failed", "cancelled"].includes(task.status);
  if (finished) return null;
  const go = (call: () => Promise<unknown>) => async () => {
    if (await action.run(call)) {
      setReason("");
      onDone();
    }
  };
  return (
    <div class="task-actions">
      {task.status === "active" && !pausing && (
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void go(() =>
              unwrap(
                api.POST("/v1/workspaces/{ws}/agent-tasks/{id}/pause", {
                  params: { path },
                  body: reason.trim() ? { reason: reason.trim() } : {},
                }),
              ),
            )();
          }}
        >
          <label class="sr-only" for="pause-reason">
            Reason for pausing
          </label>
          <input
            id="pause-reason"
            value={reason}
            placeholder="Reason (optional)"
            onInput={(e) => setReason(e.currentTarget.value)}
          />
          <button type="submit" class="btn primary" disabled={action.busy}>
            Pause task
          </button>
        </form>
      )}
      {(task.status === "paused" || pausing) && (
        <button
          type="button"
          class="btn primary"
          disabled={action.busy}
          onClick={go(() => unwrap(api.POST("/v1/workspaces/{ws}/agent-tasks/{id}/resume", { params: { path } })))}
        >
          {pausing ? "Withdraw pause" : "Resume task"}
        </button>
      )}
      {pausing && <span class="muted">Waiting for running jobs to hand back a snapshot…</span>}
      <span class="spacer" />
      <button
        type="button"
        class="btn"
        disabled={action.busy}
        onClick={go(() =>
          unwrap(api.POST("/v1/workspaces/{ws}/agent-tasks/{id}/complete", { params: { path }, body: {} })),
        )}
      >
        Mark completed
      </button>
      <button
        type="button"
        class="btn danger-outline"
        disabled={action.busy}
        onClick={go(() => unwrap(api.POST("/v1/workspaces/{ws}/agent-tasks/{id}/cancel", { params: { path } })))}
      >
        Cancel task
      </button>
      <ProblemBox error={action.error} onDismiss={action.clear} />
    </div>
  );
}

function TaskJobs({ ws, detail, onCreated }: { ws: Workspace; detail: TaskDetail; onCreated: () => void }) {
  const [adding, setAdding] = useState(false);
  const open = !["completed", "failed", "cancelled"].includes(detail.task.status);
  return (
    <section class="card section" aria-labelledby="task-jobs-title">
      <div class="section-head">
        <h2 id="task-jobs-title">Jobs</h2>
        <span class="muted">{detail.jobs.length}</span>
        {open && can(ws, "member") && (
          <div class="section-tools">
            <button type="button" class="btn small" aria-expanded={adding} onClick={() => setAdding((a) => !a)}>
              {adding ? "Close" : "Run a job in this task"}
            </button>
          </div>
        )}
      </div>
      {adding && (
        <NewJob
          ws={ws}
          taskId={detail.task.id}
          onCancel={() => setAdding(false)}
          onCreated={() => {
            setAdding(false);
            onCreated();
          }}
        />
      )}
      {detail.jobs.length === 0 ? (
        <p class="muted">No jobs in this task yet.</p>
      ) : (
        <ul class="task-jobs">
          {detail.jobs.map((j) => (
            <li key={j.id} data-job-id={j.id}>
              <Badge status={j.status} />
              <a href={href.job(ws.slug, j.id)}>
                {j.type} <span class="mono">{shortId(j.id)}</span>
              </a>
              {commandOf(j.payload) && <span class="mono muted job-script">{commandOf(j.payload)}</span>}
              <RelTime iso={j.created_at} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

const TRANSCRIPT = "runyard.command.transcript.v1";

/** The lines of a snapshot the reference runner wrote, if it is one. */
function transcriptLines(snapshot: unknown): Line[] | undefined {
  if (typeof snapshot !== "object" || snapshot === null) return undefined;
  const s = snapshot as { format?: unknown; lines?: unknown };
  if (s.format !== TRANSCRIPT || !Array.isArray(s.lines)) return undefined;
  return s.lines.map((l: { stream?: unknown; body?: unknown }, i) => ({
    seq: i + 1,
    stream: typeof l.stream === "string" ? l.stream : "stdout",
    body: typeof l.body === "string" ? l.body : JSON.stringify(l.body),
  }));
}

function Snapshot({ ws, detail }: { ws: Workspace; detail: TaskDetail }) {
  const { api } = useContext(Ctx);
  const info = detail.snapshot;
  const snapshot = useLoad(
    () =>
      info
        ? unwrap(api.GET("/v1/workspaces/{ws}/agent-tasks/{id}/snapshot", { params: { path: { ws: ws.slug, id: detail.task.id } } }))
        : Promise.resolve(undefined),
    [ws.slug, detail.task.id, info?.created_at],
  );
  const data = snapshot.data;
  const lines = useMemo(() => (data ? transcriptLines(data.log_snapshot) : undefined), [data]);
  return (
    <section class="card section" aria-labelledby="snapshot-title">
      <div class="section-head">
        <h2 id="snapshot-title">Snapshot</h2>
        {info && (
          <span class="muted">
            {info.kind === "auto" ? "automatic pause" : "manual pause"} · <RelTime iso={info.created_at} />
            {info.job_id && (
              <>
                {" "}
                · from job{" "}
                <a class="mono" href={href.job(ws.slug, info.job_id)}>
                  {shortId(info.job_id)}
                </a>
              </>
            )}
          </span>
        )}
      </div>
      {!info ? (
        <p class="muted">
          No snapshot yet. When the task pauses, each running job hands back its state — for the reference runner,
          what the script printed — and it shows here.
        </p>
      ) : (
        <>
          <ProblemBox error={snapshot.error} />
          {!data && !snapshot.error && <Loading what="the snapshot" />}
          {data && (
            <div class="snapshot" data-testid="snapshot">
              {data.reason && <p>Reason: “{data.reason}”</p>}
              {lines ? (
                <>
                  <p class="muted">{count(lines.length, "line")} the job had printed when it paused.</p>
                  <LineWindow
                    lines={lines}
                    version={lines.length}
                    stick={false}
                    label="Snapshot transcript"
                    fit
                    emptyText="The job had printed nothing."
                  />
                </>
              ) : null}
              <details open={!lines}>
                <summary>Raw snapshot (JSON)</summary>
                <pre class="json">{pretty(data.log_snapshot)}</pre>
              </details>
            </div>
          )}
        </>
      )}
    </section>
  );
}
