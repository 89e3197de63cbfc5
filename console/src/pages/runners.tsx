// Runners (admin): who is connected, when each was last seen, registering one (its token
// is shown once) and revoking one.

import { useContext, useEffect, useState } from "preact/hooks";

import { baseUrl, can, unwrap, type Schemas, type Workspace } from "../api.js";
import { Ctx } from "../context.js";
import { shortId } from "../format.js";
import { Badge, Empty, Field, Labels, Loading, ProblemBox, RelTime, useAction, useLoad } from "../ui.js";

type Runner = Schemas["Runner"];

/** A runner heartbeats or claims at least every few seconds while it runs. */
const ONLINE_WITHIN_MS = 60_000;

function runnerStatus(r: Runner, now: number): { status: string; label: string } {
  if (r.revoked_at) return { status: "revoked", label: "Revoked" };
  if (!r.last_seen_at) return { status: "never", label: "Never seen" };
  return now - Date.parse(r.last_seen_at) < ONLINE_WITHIN_MS
    ? { status: "online", label: "Online" }
    : { status: "offline", label: "Offline" };
}

export function RunnersPage({ ws }: { ws: Workspace }) {
  const { api, now } = useContext(Ctx);
  const admin = can(ws, "admin");
  useEffect(() => {
    document.title = `Runners · ${ws.name} · Runyard`;
  }, [ws.name]);
  const list = useLoad(
    () =>
      admin
        ? unwrap(api.GET("/v1/workspaces/{ws}/runners", { params: { path: { ws: ws.slug } } }))
        : Promise.resolve(undefined),
    [ws.slug, admin],
  );
  // Last-seen times move without events: look again every 10 s (cheap, ETag-revalidated).
  useEffect(() => {
    if (!admin) return;
    const timer = setInterval(() => void list.reload(), 10_000);
    return () => clearInterval(timer);
  }, [ws.slug, admin]);

  if (!admin) {
    return (
      <div class="page">
        <div class="page-head">
          <h1>Runners</h1>
        </div>
        <Empty title="Runners are for admins">
          <p>
            You are a {ws.role} of {ws.name}. Ask an admin or the owner to register runners or to make you an admin.
          </p>
        </Empty>
      </div>
    );
  }
  const runners = list.data?.items;
  const active = runners?.filter((r) => !r.revoked_at) ?? [];
  const revoked = runners?.filter((r) => r.revoked_at) ?? [];
  return (
    <div class="page">
      <div class="page-head">
        <h1>Runners</h1>
      </div>
      <RegisterRunner ws={ws} onRegistered={() => void list.reload()} />
      <ProblemBox error={list.error} />
      {!runners && list.loading && <Loading what="runners" />}
      {runners && runners.length === 0 && (
        <Empty title="No runners yet">
          <p>
            Register one above, then start it with <code>runyard runner --token …</code>. It claims the jobs whose
            labels it has.
          </p>
        </Empty>
      )}
      {runners && runners.length > 0 && (
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th scope="col">Status</th>
                <th scope="col">Runner</th>
                <th scope="col" class="hide-sm">
                  Labels
                </th>
                <th scope="col">Last seen</th>
                <th scope="col" class="hide-sm">
                  Registered
                </th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {[...active, ...revoked].map((r) => {
                const s = runnerStatus(r, now);
                return (
                  <tr key={r.id} data-runner-id={r.id} class={r.revoked_at ? "dim" : ""}>
                    <td>
                      <Badge status={s.status} label={s.label} />
                    </td>
                    <td>
                      <strong>{r.name}</strong> <span class="mono muted">{shortId(r.id)}</span>
                    </td>
                    <td class="hide-sm">
                      <Labels labels={r.labels} />
                    </td>
                    <td>
                      <RelTime iso={r.last_seen_at} />
                    </td>
                    <td class="hide-sm">
                      <RelTime iso={r.created_at} /> by <span class="mono">{r.created_by}</span>
                    </td>
                    <td class="num">
                      {r.revoked_at ? (
                        <span class="muted">
                          revoked <RelTime iso={r.revoked_at} />
                        </span>
                      ) : (
                        <Revoke ws={ws} runner={r} onRevoked={() => void list.reload()} />
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function Revoke({ ws, runner, onRevoked }: { ws: Workspace; runner: Runner; onRevoked: () => void }) {
  const { api } = useContext(Ctx);
  const [confirming, setConfirming] = useState(false);
  const action = useAction();
  if (!confirming) {
    return (
      <button
        type="button"
        class="btn small danger-outline"
        onClick={() => setConfirming(true)}
        aria-label={`Revoke ${runner.name}`}
      >
        Revoke
      </button>
    );
  }
  return (
    <span class="confirm" role="group" aria-label={`Revoke ${runner.name}?`}>
      <span>Revoke {runner.name}?</span>
      <button
        type="button"
        class="btn small danger"
        disabled={action.busy}
        onClick={async () => {
          const ok = await action.run(() =>
            unwrap(
              api.DELETE("/v1/workspaces/{ws}/runners/{id}", { params: { path: { ws: ws.slug, id: runner.id } } }),
            ),
          );
          if (ok) onRevoked();
        }}
      >
        Yes, revoke
      </button>
      <button type="button" class="btn small ghost" onClick={() => setConfirming(false)}>
        Keep
      </button>
      <ProblemBox error={action.error} />
    </span>
  );
}

function RegisterRunner({ ws, onRegistered }: { ws: Workspace; onRegistered: () => void }) {
  const { api } = useContext(Ctx);
  const [name, setName] = useState("");
  const [labels, setLabels] = useState("");
  const [created, setCreated] = useState<Schemas["RunnerRegistered"] | undefined>(undefined);
  const [open, setOpen] = useState(false);
  const action = useAction();
  const submit = async (e: Event) => {
    e.preventDefault();
    await action.run(async () => {
      const registered = await unwrap(
        api.POST("/v1/workspaces/{ws}/runners", {
          params: { path: { ws: ws.slug } },
          body: {
            name: name.trim(),
            labels: labels
              .split(",")
              .map((l) => l.trim())
              .filter(Boolean),
          },
        }),
      );
      setCreated(registered);
      setName("");
      setLabels("");
      onRegistered();
    });
  };
  if (created) {
    const command = `runyard runner --url ${baseUrl()} --token ${created.token}`;
    return (
      <div class="card form token-once" role="status">
        <h2>Runner “{created.runner.name}” registered</h2>
        <p>Its token is shown this once. Start the runner with:</p>
        <pre class="mono command">{command}</pre>
        <div class="actions">
          <button type="button" class="btn" onClick={() => void navigator.clipboard?.writeText(command)}>
            Copy command
          </button>
          <button type="button" class="btn primary" onClick={() => setCreated(undefined)}>
            Done
          </button>
        </div>
      </div>
    );
  }
  if (!open) {
    return (
      <div class="toolbar">
        <button type="button" class="btn primary" onClick={() => setOpen(true)}>
          Register a runner
        </button>
      </div>
    );
  }
  return (
    <form class="card form" onSubmit={submit} aria-label="Register a runner">
      <h2>Register a runner</h2>
      <ProblemBox error={action.error} onDismiss={action.clear} />
      <div class="grid2">
        <Field id="runner-name" label="Name">
          <input id="runner-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} placeholder="build-01" />
        </Field>
        <Field id="runner-labels" label="Labels" hint="Comma-separated: it claims jobs whose labels it has.">
          <input
            id="runner-labels"
            value={labels}
            onInput={(e) => setLabels(e.currentTarget.value)}
            placeholder="linux, gpu"
          />
        </Field>
      </div>
      <div class="actions">
        <button type="button" class="btn ghost" onClick={() => setOpen(false)}>
          Cancel
        </button>
        <button type="submit" class="btn primary" disabled={action.busy}>
          {action.busy ? "Registering…" : "Register"}
        </button>
      </div>
    </form>
  );
}
