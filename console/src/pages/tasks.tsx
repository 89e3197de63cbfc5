// Agent tasks: the list, kept current by the feed, and a form to create one.

import { useContext, useEffect, useState } from "preact/hooks";

import { can, unwrap, type Schemas, type Workspace } from "../api.js";
import { Ctx } from "../context.js";
import { shortId } from "../format.js";
import { useLiveEvents, useThrottled } from "../live.js";
import { href, navigate } from "../router.js";
import { Badge, Empty, Field, Loading, ProblemBox, RelTime, useAction, useLoad } from "../ui.js";

const PAGE_SIZE = 50;

export function TasksPage({ ws }: { ws: Workspace }) {
  const { api } = useContext(Ctx);
  const [status, setStatus] = useState("");
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [previous, setPrevious] = useState<(string | undefined)[]>([]);
  useEffect(() => {
    document.title = `Tasks · ${ws.name} · Runyard`;
  }, [ws.name]);
  const page = useLoad(
    () =>
      unwrap(
        api.GET("/v1/workspaces/{ws}/agent-tasks", {
          params: {
            path: { ws: ws.slug },
            query: { limit: PAGE_SIZE, ...(status && { status }), ...(cursor && { cursor }) },
          },
        }),
      ),
    [ws.slug, status, cursor],
  );
  const refresh = useThrottled(() => page.reload(), 500);
  useLiveEvents((e) => e.source === "task", refresh);
  const tasks = page.data?.items;

  return (
    <div class="page">
      <div class="page-head">
        <h1>Agent tasks</h1>
      </div>
      <p class="lede muted">
        A task groups jobs. Pausing it asks its running jobs to hand back a snapshot; resuming queues them again with
        that snapshot.
      </p>
      {can(ws, "member") && <CreateTask ws={ws} />}
      <div class="filters">
        <div class="field inline">
          <label for="t-status">Status</label>
          <select
            id="t-status"
            value={status}
            onChange={(e) => {
              setStatus(e.currentTarget.value);
              setCursor(undefined);
              setPrevious([]);
            }}
          >
            <option value="">Any status</option>
            {["active", "paused", "completed", "failed", "cancelled"].map((s) => (
              <option key={s} value={s}>
                {s.charAt(0).toUpperCase() + s.slice(1)}
              </option>
            ))}
          </select>
        </div>
      </div>
      <ProblemBox error={page.error} />
      {!tasks && page.loading && <Loading what="tasks" />}
      {tasks && tasks.length === 0 && (
        <Empty title={status ? `No ${status} tasks` : "No tasks yet"}>
          <p>Create a task above, then run jobs in it from its page.</p>
        </Empty>
      )}
      {tasks && tasks.length > 0 && (
        <>
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">Status</th>
                  <th scope="col">Task</th>
                  <th scope="col" class="hide-sm">
                    Last activity
                  </th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {tasks.map((t: Schemas["AgentTask"]) => (
                  <tr key={t.id} data-task-id={t.id}>
                    <td>
                      <Badge status={t.status} />
                    </td>
                    <td>
                      <a href={href.task(ws.slug, t.id)}>{t.title}</a>{" "}
                      <span class="mono muted">{shortId(t.id)}</span>
                    </td>
                    <td class="hide-sm">
                      <RelTime iso={t.last_activity_at} />
                    </td>
                    <td>
                      <RelTime iso={t.created_at} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {(cursor || page.data?.next_cursor) && (
            <nav class="pager" aria-label="Pages">
              <button
                type="button"
                class="btn small"
                disabled={!cursor}
                onClick={() => {
                  setCursor(previous[previous.length - 1]);
                  setPrevious((p) => p.slice(0, -1));
                }}
              >
                ← Newer
              </button>
              <button
                type="button"
                class="btn small"
                disabled={!page.data?.next_cursor}
                onClick={() => {
                  setPrevious((p) => [...p, cursor]);
                  setCursor(page.data?.next_cursor ?? undefined);
                }}
              >
                Older →
              </button>
            </nav>
          )}
        </>
      )}
    </div>
  );
}

function CreateTask({ ws }: { ws: Workspace }) {
  const { api } = useContext(Ctx);
  const [title, setTitle] = useState("");
  const action = useAction();
  const submit = async (e: Event) => {
    e.preventDefault();
    let id: string | undefined;
    const ok = await action.run(async () => {
      const task = await unwrap(
        api.POST("/v1/workspaces/{ws}/agent-tasks", {
          params: { path: { ws: ws.slug } },
          body: { title: title.trim() },
        }),
      );
      id = task.id;
    });
    if (ok && id) navigate(href.task(ws.slug, id));
  };
  return (
    <form class="card form row-form" onSubmit={submit} aria-label="Create a task">
      <ProblemBox error={action.error} onDismiss={action.clear} />
      <Field id="task-title" label="New task">
        <input
          id="task-title"
          required
          value={title}
          placeholder="Refactor the parser"
          onInput={(e) => setTitle(e.currentTarget.value)}
        />
      </Field>
      <button type="submit" class="btn primary" disabled={action.busy}>
        {action.busy ? "Creating…" : "Create task"}
      </button>
    </form>
  );
}
