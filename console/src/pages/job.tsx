// One job: what it is, its actions (per the caller's role), its log, steps as a
// timeline, its events and its artifacts, all kept current by the workspace's feed.

import { useContext, useEffect, useState } from "preact/hooks";

import { can, isNotFound, isTerminal, unwrap, type JobDetail, type Schemas, type Workspace } from "../api.js";
import { Ctx } from "../context.js";
import { actor, between, bytes, duration, pretty, shortId } from "../format.js";
import { useLiveEvents, useThrottled } from "../live.js";
import { href } from "../router.js";
import { Badge, Empty, Labels, Loading, ProblemBox, RelTime, useAction, useLoad } from "../ui.js";
import { commandOf } from "./jobs.js";
import { JobLog } from "./logview.js";
import { UsageFigures } from "./overview.js";

/** Whether the job waits for an approval: held for one, or stopped at a gate step. */
function awaitingApproval(job: JobDetail): boolean {
  if (job.steps.some((s) => s.status === "WAITING")) return true;
  if (job.status !== "PENDING" || !job.requires_approval) return false;
  const decisions = job.events.filter((e) =>
    ["job_awaiting_approval", "job_approved", "job_rejected"].includes(e.type),
  );
  const last = decisions[decisions.length - 1];
  return last ? last.type === "job_awaiting_approval" : true;
}

export function JobPage({ ws, id }: { ws: Workspace; id: string }) {
  const { api } = useContext(Ctx);
  const path = { ws: ws.slug, id };
  const detail = useLoad(
    () => unwrap(api.GET("/v1/workspaces/{ws}/runner-jobs/{id}", { params: { path } })),
    [ws.slug, id],
  );
  const artifacts = useLoad(
    () => unwrap(api.GET("/v1/workspaces/{ws}/runner-jobs/{id}/artifacts", { params: { path } })),
    [ws.slug, id],
  );
  const refresh = useThrottled(() => Promise.all([detail.reload(), artifacts.reload()]).then(() => {}), 300);
  useLiveEvents((e) => e.job_id === id, refresh);
  const job = detail.data;
  useEffect(() => {
    document.title = `${job ? `${job.type} ${shortId(job.id)}` : "Job"} · ${ws.name} · Runyard`;
  }, [job?.id, ws.name]);

  if (detail.error && isNotFound(detail.error)) {
    return (
      <div class="page">
        <Empty title="Job not found">
          <p>
            No job <code>{id}</code> in this workspace. <a href={href.jobs(ws.slug)}>Back to jobs</a>.
          </p>
        </Empty>
      </div>
    );
  }
  if (!job) {
    return (
      <div class="page">
        <ProblemBox error={detail.error} />
        {!detail.error && <Loading what="the job" />}
      </div>
    );
  }
  return (
    <div class="page">
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={href.jobs(ws.slug)}>Jobs</a> <span aria-hidden="true">/</span>{" "}
        <span class="mono">{shortId(job.id)}</span>
      </nav>
      <div class="page-head">
        <h1 class="job-title">
          <span>{job.type}</span> <span class="mono muted small-id">{job.id}</span>
        </h1>
        <Badge status={job.status} />
      </div>
      {commandOf(job.payload) && <p class="mono script-line">$ {commandOf(job.payload)}</p>}
      <ProblemBox error={detail.error} />
      <JobActions ws={ws} job={job} onDone={refresh} />
      <div class="split">
        <div class="split-main">
          <JobLog key={job.id} ws={ws} jobId={job.id} status={job.status} />
          <Steps steps={job.steps} finished={isTerminal(job.status)} />
          <AiCalls ws={ws} jobId={job.id} count={job.usage.ai_calls} />
          <Events events={job.events} />
        </div>
        <aside class="split-side">
          <Facts ws={ws} job={job} />
          <UsageFigures usage={job.usage} id="job-usage-title" />
          <Artifacts ws={ws} job={job} list={artifacts.data?.items} error={artifacts.error} />
          <section class="card section" aria-labelledby="payload-title">
            <h2 id="payload-title">Payload</h2>
            <pre class="json">{pretty(job.payload)}</pre>
          </section>
          {job.result !== undefined && job.result !== null && (
            <section class="card section" aria-labelledby="result-title">
              <h2 id="result-title">Result</h2>
              <pre class="json">{pretty(job.result)}</pre>
            </section>
          )}
          {job.error !== undefined && job.error !== null && (
            <section class="card section error-box" aria-labelledby="error-title">
              <h2 id="error-title">Error</h2>
              <pre class="json">{pretty(job.error)}</pre>
            </section>
          )}
        </aside>
      </div>
    </div>
  );
}

function JobActions({ ws, job, onDone }: { ws: Workspace; job: JobDetail; onDone: () => void }) {
  const { api } = useContext(Ctx);
  const action = useAction();
  const path = { ws: ws.slug, id: job.id };
  const member = can(ws, "member");
  const admin = can(ws, "admin");
  const terminal = isTerminal(job.status);
  const awaiting = awaitingApproval(job);
  const act = (call: () => Promise<unknown>) => async () => {
    if (await action.run(call)) onDone();
  };
  const buttons = [];
  if (admin && awaiting) {
    buttons.push(
      <button
        key="approve"
        type="button"
        class="btn primary"
        disabled={action.busy}
        onClick={act(() =>
          unwrap(api.POST("/v1/workspaces/{ws}/runner-jobs/{id}/approve", { params: { path }, body: {} })),
        )}
      >
        Approve
      </button>,
      <button
        key="reject"
        type="button"
        class="btn danger"
        disabled={action.busy}
        onClick={act(() =>
          unwrap(api.POST("/v1/workspaces/{ws}/runner-jobs/{id}/reject", { params: { path }, body: {} })),
        )}
      >
        Reject
      </button>,
    );
  }
  if (member && !terminal) {
    buttons.push(
      <button
        key="cancel"
        type="button"
        class="btn danger-outline"
        disabled={action.busy || Boolean(job.cancel_requested_at)}
        onClick={act(() =>
          unwrap(api.POST("/v1/workspaces/{ws}/runner-jobs/{id}/cancel", { params: { path } })),
        )}
      >
        {job.cancel_requested_at ? "Cancelling…" : "Cancel job"}
      </button>,
    );
  }
  if (member && job.status === "SUSPENDED") {
    buttons.push(
      <button
        key="wake"
        type="button"
        class="btn primary"
        disabled={action.busy}
        onClick={act(() => unwrap(api.POST("/v1/workspaces/{ws}/runner-jobs/{id}/wake", { params: { path } })))}
      >
        Wake now
      </button>,
    );
  }
  if (member && (job.status === "FAILED" || job.status === "CANCELLED")) {
    buttons.push(
      <button
        key="retry"
        type="button"
        class="btn"
        disabled={action.busy}
        onClick={act(() =>
          unwrap(api.POST("/v1/workspaces/{ws}/runner-jobs/{id}/retry", { params: { path } })),
        )}
      >
        Retry
      </button>,
    );
  }
  const note =
    awaiting && !admin
      ? "This job waits for an approval by an admin."
      : !member
        ? "You are a viewer here: you can look, not act."
        : undefined;
  if (buttons.length === 0 && !note && !action.error) return null;
  return (
    <div class="job-actions">
      {awaiting && <span class="badge s-waiting">Awaiting approval</span>}
      {awaiting && job.approval_deadline && (
        <span class="muted approval-deadline">
          Rejected by the system <RelTime iso={job.approval_deadline} /> unless decided
        </span>
      )}
      {buttons}
      {note && <span class="muted">{note}</span>}
      <ProblemBox error={action.error} onDismiss={action.clear} />
    </div>
  );
}

function Facts({ ws, job }: { ws: Workspace; job: JobDetail }) {
  const { now } = useContext(Ctx);
  return (
    <section class="card section" aria-labelledby="facts-title">
      <h2 id="facts-title">Details</h2>
      <dl class="facts">
        <dt>Attempt</dt>
        <dd>
          {job.attempt} of {job.max_attempts}
        </dd>
        <dt>Priority</dt>
        <dd>{job.priority}</dd>
        <dt>Labels</dt>
        <dd>
          <Labels labels={job.labels} />
        </dd>
        <dt>Created</dt>
        <dd>
          <RelTime iso={job.created_at} /> by <span class="mono">{job.created_by}</span>
        </dd>
        {job.started_at && (
          <>
            <dt>Started</dt>
            <dd>
              <RelTime iso={job.started_at} />
            </dd>
          </>
        )}
        {job.finished_at && (
          <>
            <dt>Finished</dt>
            <dd>
              <RelTime iso={job.finished_at} />
            </dd>
          </>
        )}
        <dt>Duration</dt>
        <dd>{job.started_at ? between(job.started_at, job.finished_at, now) : "—"}</dd>
        {job.failure_kind && (
          <>
            <dt>Why it ended</dt>
            <dd class="mono" data-failure-kind={job.failure_kind}>
              {job.failure_kind}
              {job.cancel_reason ? ` — ${job.cancel_reason}` : ""}
            </dd>
          </>
        )}
        {job.next_poll_at && (
          <>
            <dt>Suspended until</dt>
            <dd>
              <RelTime iso={job.next_poll_at} />
              {job.max_wait_until && (
                <>
                  {" "}
                  (gives up <RelTime iso={job.max_wait_until} />)
                </>
              )}
            </dd>
          </>
        )}
        {job.lease && (
          <>
            <dt>Runner</dt>
            <dd>
              <span class="mono">{shortId(job.lease.runner_id)}</span>, lease{" "}
              <RelTime iso={job.lease.expires_at} prefix="ends " />
            </dd>
          </>
        )}
        {job.agent_task_id && (
          <>
            <dt>Task</dt>
            <dd>
              <a href={href.task(ws.slug, job.agent_task_id)} class="mono">
                {shortId(job.agent_task_id)}
              </a>
            </dd>
          </>
        )}
        {job.status === "PENDING" && (
          <>
            <dt>Runs after</dt>
            <dd>
              <RelTime iso={job.run_after} />
            </dd>
          </>
        )}
        <dt>Timeout</dt>
        <dd>{duration(job.timeout_seconds * 1000)}</dd>
        {job.idempotency_key && (
          <>
            <dt>Idempotency key</dt>
            <dd class="mono">{job.idempotency_key}</dd>
          </>
        )}
      </dl>
    </section>
  );
}

function Steps({ steps, finished }: { steps: Schemas["Step"][]; finished: boolean }) {
  const sorted = [...steps].sort((a, b) => a.ordinal - b.ordinal);
  return (
    <section class="card section" aria-labelledby="steps-title">
      <div class="section-head">
        <h2 id="steps-title">Steps</h2>
        <span class="muted">{sorted.length || "none reported"}</span>
      </div>
      {sorted.length === 0 ? (
        <p class="muted">
          {finished ? "This job reported no steps." : "The runner reports steps as it goes; none yet."}
        </p>
      ) : (
        <ol class="timeline">
          {sorted.map((step) => (
            <li key={step.id} class={`tl-item s-${step.status.toLowerCase()}`}>
              <span class="tl-dot" aria-hidden="true" />
              <div class="tl-body">
                <div class="tl-head">
                  <strong>{step.name}</strong>
                  <Badge status={step.status} />
                </div>
                <div class="tl-meta muted">
                  {step.phase.toLowerCase()} · {step.type.toLowerCase().replace("_", " ")}
                  {step.duration_ms != null && <> · {duration(step.duration_ms)}</>}
                  {(step.input_tokens != null || step.output_tokens != null) && (
                    <>
                      {" "}
                      · {step.input_tokens ?? 0} in / {step.output_tokens ?? 0} out tokens
                    </>
                  )}
                  {step.cost != null && <> · ${step.cost.toFixed(4)}</>}
                  {step.started_at && (
                    <>
                      {" "}
                      · <RelTime iso={step.started_at} prefix="started " />
                    </>
                  )}
                </div>
                {step.output !== undefined && step.output !== null && (
                  <details>
                    <summary>Output</summary>
                    <pre class="json">{pretty(step.output)}</pre>
                  </details>
                )}
              </div>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function Events({ events }: { events: Schemas["JobEvent"][] }) {
  return (
    <section class="card section" aria-labelledby="events-title">
      <div class="section-head">
        <h2 id="events-title">Events</h2>
        <span class="muted">{events.length}</span>
      </div>
      <ol class="events">
        {events.map((e) => (
          <li key={e.id} data-type={e.type}>
            <span class="ev-seq mono muted">#{e.seq}</span>
            <span class="ev-type">{e.type.replace(/^job_/, "").replace(/_/g, " ")}</span>
            <span class="ev-actor mono muted" title={e.actor}>
              {actor(e.actor)}
            </span>
            <RelTime iso={e.created_at} />
            {e.payload !== null && typeof e.payload === "object" && Object.keys(e.payload).length > 0 && (
              <details class="ev-payload">
                <summary>payload</summary>
                <pre class="json">{pretty(e.payload)}</pre>
              </details>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}

function Artifacts({
  ws,
  job,
  list,
  error,
}: {
  ws: Workspace;
  job: JobDetail;
  list: Schemas["Artifact"][] | undefined;
  error: unknown;
}) {
  const { api } = useContext(Ctx);
  const action = useAction();
  const [busy, setBusy] = useState<string | undefined>(undefined);
  const download = async (name: string) => {
    setBusy(name);
    await action.run(async () => {
      const blob = await unwrap(
        api.GET("/v1/workspaces/{ws}/runner-jobs/{id}/artifacts/{name}", {
          params: { path: { ws: ws.slug, id: job.id, name } },
          parseAs: "blob",
        }),
      );
      // The download needs the bearer token, so it is fetched, then saved from memory.
      const url = URL.createObjectURL(blob as Blob);
      const a = document.createElement("a");
      a.href = url;
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    });
    setBusy(undefined);
  };
  return (
    <section class="card section" aria-labelledby="artifacts-title">
      <h2 id="artifacts-title">Artifacts</h2>
      <ProblemBox error={error ?? action.error} />
      {!list ? null : list.length === 0 ? (
        <p class="muted">No artifacts{isTerminal(job.status) ? "" : " yet"}.</p>
      ) : (
        <ul class="artifacts">
          {list.map((a) => (
            <li key={a.name}>
              <button
                type="button"
                class="btn link"
                onClick={() => download(a.name)}
                disabled={busy === a.name}
                aria-label={`Download ${a.name}`}
              >
                ⤓ {a.name}
              </button>
              <span class="muted">
                {bytes(a.size)} · {a.content_type}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The job's model calls, a page at a time. */
function AiCalls({ ws, jobId, count }: { ws: Workspace; jobId: string; count: number }) {
  const { api } = useContext(Ctx);
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const calls = useLoad(
    () =>
      count === 0
        ? Promise.resolve(undefined)
        : unwrap(
            api.GET("/v1/workspaces/{ws}/runner-jobs/{id}/ai-calls", {
              params: { path: { ws: ws.slug, id: jobId }, query: { limit: 50, cursor } },
            }),
          ),
    [ws.slug, jobId, count, cursor],
  );
  if (count === 0) return null;
  return (
    <section class="card section" aria-labelledby="ai-calls-title">
      <div class="section-head">
        <h2 id="ai-calls-title">Model calls</h2>
        <span class="muted">{count}</span>
      </div>
      <ProblemBox error={calls.error} />
      <div class="table-wrap">
        <table class="table ai-calls">
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">Model</th>
              <th scope="col" class="num">In</th>
              <th scope="col" class="num">Out</th>
              <th scope="col" class="num">Cost (USD)</th>
              <th scope="col" class="num">Latency</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {(calls.data?.items ?? []).map((c) => (
              <tr key={c.id} data-call-id={c.id}>
                <td>
                  <RelTime iso={c.started_at} />
                </td>
                <td>
                  <span class="muted">{c.provider}/</span>
                  {c.model}
                  {c.step_ordinal != null && <span class="muted"> · step {c.step_ordinal}</span>}
                </td>
                <td class="num">{c.input_tokens.toLocaleString()}</td>
                <td class="num">{c.output_tokens.toLocaleString()}</td>
                <td class="num mono">{c.cost_usd}</td>
                <td class="num">{duration(c.latency_ms)}</td>
                <td title={c.error ?? undefined}>
                  <Badge status={c.status === "ok" ? "completed" : "failed"} label={c.status} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {(cursor || calls.data?.next_cursor) && (
        <div class="pager">
          <button type="button" class="btn ghost small" disabled={!cursor} onClick={() => setCursor(undefined)}>
            ← First
          </button>
          <button
            type="button"
            class="btn ghost small"
            disabled={!calls.data?.next_cursor}
            onClick={() => setCursor(calls.data?.next_cursor ?? undefined)}
          >
            Next →
          </button>
        </div>
      )}
    </section>
  );
}
