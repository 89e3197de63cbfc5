// The jobs table: filters in the URL, keyset pages, live updates from the workspace's
// event feed, and a form to submit a job.

import { useContext, useEffect, useState } from "preact/hooks";

import { can, JOB_STATUSES, unwrap, type Job, type Schemas, type Workspace } from "../api.js";
import { Ctx } from "../context.js";
import { between, shortId } from "../format.js";
import { useLiveEvents, useThrottled } from "../live.js";
import { href, navigate } from "../router.js";
import { Badge, Empty, Field, Labels, Loading, ProblemBox, RelTime, useAction, useLoad } from "../ui.js";

const PAGE_SIZE = 25;

/** The status filter's value for jobs waiting for an approval. */
const AWAITING = "awaiting";

interface Filters {
  status: string;
  type: string;
  label: string;
}

export function JobsPage({ ws, query }: { ws: Workspace; query: URLSearchParams }) {
  const { api } = useContext(Ctx);
  const filters: Filters = {
    status: query.get("status") ?? "",
    type: query.get("type") ?? "",
    label: query.get("label") ?? "",
  };
  const cursor = query.get("cursor") ?? "";
  // Cursors of the pages before this one, to step back through keyset pages.
  const [previous, setPrevious] = useState<string[]>([]);
  const [showForm, setShowForm] = useState(false);
  const filterKey = `${ws.slug}|${filters.status}|${filters.type}|${filters.label}`;
  useEffect(() => setPrevious([]), [filterKey]);
  useEffect(() => {
    document.title = `Jobs · ${ws.name} · Runyard`;
  }, [ws.name]);

  const page = useLoad(
    () =>
      unwrap(
        api.GET("/v1/workspaces/{ws}/runner-jobs", {
          params: {
            path: { ws: ws.slug },
            query: {
              limit: PAGE_SIZE,
              // "awaiting" is not a status: jobs waiting for an approval, of any gate.
              ...(filters.status === AWAITING
                ? { awaiting_approval: true }
                : filters.status && { status: filters.status }),
              ...(filters.type && { type: filters.type }),
              ...(filters.label && { label: filters.label }),
              ...(cursor && { cursor }),
            },
          },
        }),
      ),
    [filterKey, cursor],
  );
  const refresh = useThrottled(() => page.reload(), 500);
  useLiveEvents((e) => e.source === "job", refresh);

  const go = (next: Partial<Filters> & { cursor?: string }) => {
    const merged = { ...filters, cursor: undefined as string | undefined, ...next };
    navigate(href.jobs(ws.slug, merged));
  };
  const older = () => {
    if (!page.data?.next_cursor) return;
    setPrevious((p) => [...p, cursor]);
    go({ cursor: page.data.next_cursor });
  };
  const newer = () => {
    const back = previous[previous.length - 1];
    setPrevious((p) => p.slice(0, -1));
    go({ cursor: back || undefined });
  };
  const filtered = Boolean(filters.status || filters.type || filters.label);
  const jobs = page.data?.items;

  return (
    <div class="page">
      <div class="page-head">
        <h1>Jobs</h1>
        {can(ws, "member") && (
          <button
            type="button"
            class="btn primary"
            aria-expanded={showForm}
            aria-controls="new-job"
            onClick={() => setShowForm((s) => !s)}
          >
            {showForm ? "Close" : "New job"}
          </button>
        )}
      </div>
      {showForm && <NewJob ws={ws} onCancel={() => setShowForm(false)} />}
      <form class="filters" role="search" aria-label="Filter jobs" onSubmit={(e) => e.preventDefault()}>
        <div class="field inline">
          <label for="f-status">Status</label>
          <select id="f-status" value={filters.status} onChange={(e) => go({ status: e.currentTarget.value })}>
            <option value="">Any status</option>
            {JOB_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s.charAt(0) + s.slice(1).toLowerCase()}
              </option>
            ))}
            <option value="QUEUED,RUNNING">Queued or running</option>
            <option value="FAILED,CANCELLED">Failed or cancelled</option>
            <option value={AWAITING}>Awaiting approval</option>
          </select>
        </div>
        <TextFilter id="f-type" label="Type" value={filters.type} placeholder="any" onCommit={(type) => go({ type })} />
        <TextFilter
          id="f-label"
          label="Labels"
          value={filters.label}
          placeholder="e.g. linux,gpu"
          onCommit={(label) => go({ label: label.replace(/\s+/g, "") })}
        />
        {filtered && (
          <button type="button" class="btn ghost small" onClick={() => navigate(href.jobs(ws.slug))}>
            Clear filters
          </button>
        )}
      </form>
      <ProblemBox error={page.error} />
      {!jobs && page.loading && <Loading what="jobs" />}
      {jobs && jobs.length === 0 && !cursor && (
        <Empty title={filtered ? "No jobs match these filters" : "No jobs yet"}>
          {filtered ? (
            <p>Try another status, type or label.</p>
          ) : (
            <p>
              Submit one with <strong>New job</strong>, the API or <code>runyard jobs submit</code>. A runner started
              with <code>runyard runner</code> picks it up.
            </p>
          )}
        </Empty>
      )}
      {jobs && (jobs.length > 0 || cursor) && (
        <>
          <div class="table-wrap">
            <table class="table jobs-table">
              <thead>
                <tr>
                  <th scope="col">Status</th>
                  <th scope="col">Job</th>
                  <th scope="col" class="hide-sm">
                    Labels
                  </th>
                  <th scope="col" class="hide-sm num">
                    Attempt
                  </th>
                  <th scope="col" class="hide-sm num">
                    Duration
                  </th>
                  <th scope="col" class="hide-sm">
                    Created
                  </th>
                </tr>
              </thead>
              <tbody>
                {jobs.map((job) => (
                  <JobRow key={job.id} ws={ws} job={job} />
                ))}
              </tbody>
            </table>
          </div>
          <nav class="pager" aria-label="Pages">
            <button type="button" class="btn small" disabled={!cursor} onClick={newer}>
              ← Newer
            </button>
            <span class="muted">
              {jobs.length} on this page{page.loading ? " · updating…" : ""}
            </span>
            <button type="button" class="btn small" disabled={!page.data?.next_cursor} onClick={older}>
              Older →
            </button>
          </nav>
        </>
      )}
    </div>
  );
}

/**
 * A text filter applied on Enter or when focus leaves it. What is typed lives here until
 * then, so a live update re-rendering the page does not wipe it.
 */
function TextFilter({
  id,
  label,
  value,
  placeholder,
  onCommit,
}: {
  id: string;
  label: string;
  value: string;
  placeholder: string;
  onCommit: (value: string) => void;
}) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  return (
    <div class="field inline">
      <label for={id}>{label}</label>
      <input
        id={id}
        value={draft}
        placeholder={placeholder}
        onInput={(e) => setDraft(e.currentTarget.value)}
        onChange={(e) => {
          const next = e.currentTarget.value.trim();
          if (next !== value) onCommit(next);
        }}
      />
    </div>
  );
}

function JobRow({ ws, job }: { ws: Workspace; job: Job }) {
  const { now } = useContext(Ctx);
  const script = job.type === "command" ? commandOf(job.payload) : undefined;
  return (
    <tr data-job-id={job.id}>
      <td>
        <Badge status={job.status} />
      </td>
      <td class="job-cell">
        <a href={href.job(ws.slug, job.id)} class="job-link">
          <span class="job-type">{job.type}</span> <span class="mono muted">{shortId(job.id)}</span>
        </a>
        {script && <span class="job-script mono">{script}</span>}
        {job.approval_deadline && (
          <span class="muted approval-deadline">
            Approval due <RelTime iso={job.approval_deadline} />
          </span>
        )}
        <span class="show-sm muted">
          <RelTime iso={job.created_at} />
        </span>
      </td>
      <td class="hide-sm">
        <Labels labels={job.labels} />
      </td>
      <td class="hide-sm num">
        {job.attempt}/{job.max_attempts}
      </td>
      <td class="hide-sm num">{job.started_at ? between(job.started_at, job.finished_at, now) : "—"}</td>
      <td class="hide-sm">
        <RelTime iso={job.created_at} />
      </td>
    </tr>
  );
}

/** The first line of a command job's script, for the table. */
export function commandOf(payload: unknown): string | undefined {
  if (typeof payload !== "object" || payload === null) return undefined;
  const script = (payload as { script?: unknown }).script;
  if (typeof script !== "string") return undefined;
  const first = script.trim().split("\n")[0] ?? "";
  return first.length > 80 ? `${first.slice(0, 79)}…` : first;
}

/** The job submission form; `taskId` makes the job part of an agent task. */
export function NewJob({
  ws,
  taskId,
  onCancel,
  onCreated,
}: {
  ws: Workspace;
  taskId?: string;
  onCancel?: () => void;
  onCreated?: (job: Job) => void;
}) {
  const { api } = useContext(Ctx);
  const [type, setType] = useState("command");
  const [script, setScript] = useState("");
  const [payloadText, setPayloadText] = useState("{}");
  const [labels, setLabels] = useState("");
  const [priority, setPriority] = useState("0");
  const [maxAttempts, setMaxAttempts] = useState("");
  const [approval, setApproval] = useState(false);
  const [localError, setLocalError] = useState<string | undefined>(undefined);
  const action = useAction();
  const prefix = taskId ? "task-job" : "job";

  const submit = async (e: Event) => {
    e.preventDefault();
    setLocalError(undefined);
    let payload: unknown;
    if (type.trim() === "command") {
      payload = { script };
    } else {
      try {
        payload = JSON.parse(payloadText || "null");
      } catch (err) {
        setLocalError(`The payload is not valid JSON: ${(err as Error).message}`);
        return;
      }
    }
    const body: Schemas["CreateJob"] = {
      type: type.trim(),
      payload,
      priority: Number(priority) || 0,
      labels: labels
        .split(",")
        .map((l) => l.trim())
        .filter(Boolean),
      ...(maxAttempts && { max_attempts: Number(maxAttempts) }),
      ...(approval && { requires_approval: true }),
      ...(taskId && { agent_task_id: taskId }),
    };
    let job: Job | undefined;
    const ok = await action.run(async () => {
      job = await unwrap(
        api.POST("/v1/workspaces/{ws}/runner-jobs", { params: { path: { ws: ws.slug } }, body }),
      );
    });
    if (ok && job) {
      if (onCreated) onCreated(job);
      else navigate(href.job(ws.slug, job.id));
    }
  };

  return (
    <form id={taskId ? undefined : "new-job"} class="card form" onSubmit={submit} aria-label="Submit a job">
      {!taskId && <h2>Submit a job</h2>}
      <ProblemBox error={action.error} onDismiss={action.clear} />
      {localError && (
        <div class="problem" role="alert">
          <div class="problem-text">
            <strong class="problem-title">Invalid payload</strong>
            <span class="problem-detail">{localError}</span>
          </div>
        </div>
      )}
      <div class="grid2">
        <Field id={`${prefix}-type`} label="Type" hint="The reference runner runs `command` jobs.">
          <input
            id={`${prefix}-type`}
            required
            class="mono"
            value={type}
            onInput={(e) => setType(e.currentTarget.value)}
            list={`${prefix}-types`}
          />
          <datalist id={`${prefix}-types`}>
            <option value="command" />
          </datalist>
        </Field>
        <Field id={`${prefix}-labels`} label="Labels" hint="Comma-separated; runners need every one.">
          <input
            id={`${prefix}-labels`}
            value={labels}
            onInput={(e) => setLabels(e.currentTarget.value)}
            placeholder="linux, gpu"
          />
        </Field>
      </div>
      {type.trim() === "command" ? (
        <Field id={`${prefix}-script`} label="Script" hint="Run with sh -c in a fresh directory.">
          <textarea
            id={`${prefix}-script`}
            class="mono"
            rows={4}
            required
            value={script}
            onInput={(e) => setScript(e.currentTarget.value)}
            placeholder={"echo hello\nsleep 1\necho done"}
          />
        </Field>
      ) : (
        <Field id={`${prefix}-payload`} label="Payload (JSON)">
          <textarea
            id={`${prefix}-payload`}
            class="mono"
            rows={5}
            value={payloadText}
            onInput={(e) => setPayloadText(e.currentTarget.value)}
          />
        </Field>
      )}
      <details class="more">
        <summary>More options</summary>
        <div class="grid3">
          <Field id={`${prefix}-priority`} label="Priority" hint="-100 to 100; higher runs first.">
            <input
              id={`${prefix}-priority`}
              type="number"
              min={-100}
              max={100}
              value={priority}
              onInput={(e) => setPriority(e.currentTarget.value)}
            />
          </Field>
          <Field id={`${prefix}-attempts`} label="Max attempts">
            <input
              id={`${prefix}-attempts`}
              type="number"
              min={1}
              value={maxAttempts}
              placeholder="default"
              onInput={(e) => setMaxAttempts(e.currentTarget.value)}
            />
          </Field>
          <label class="check">
            <input type="checkbox" checked={approval} onChange={(e) => setApproval(e.currentTarget.checked)} />
            Requires approval
          </label>
        </div>
      </details>
      <div class="actions">
        {onCancel && (
          <button type="button" class="btn ghost" onClick={onCancel}>
            Cancel
          </button>
        )}
        <button type="submit" class="btn primary" disabled={action.busy}>
          {action.busy ? "Submitting…" : "Submit job"}
        </button>
      </div>
    </form>
  );
}
