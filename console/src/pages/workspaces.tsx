// Your workspaces, and a form to create one.

import { useContext, useEffect, useState } from "preact/hooks";

import { unwrap, type Workspace } from "../api.js";
import { Ctx } from "../context.js";
import { href, navigate } from "../router.js";
import { Empty, Field, ProblemBox, RelTime, useAction } from "../ui.js";

function slugify(name: string): string {
  return name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
}

export function WorkspacesPage({ workspaces }: { workspaces: Workspace[] }) {
  useEffect(() => {
    document.title = "Workspaces · Runyard";
  }, []);
  return (
    <div class="page narrow">
      <div class="page-head">
        <h1>Workspaces</h1>
      </div>
      {workspaces.length === 0 ? (
        <Empty title="No workspaces yet">
          <p>A workspace holds jobs, runners and tasks. Create your first one below; you become its owner.</p>
        </Empty>
      ) : (
        <ul class="ws-list">
          {workspaces.map((w) => (
            <li key={w.id}>
              <a class="card ws-card" href={href.jobs(w.slug)}>
                <span class="ws-name">{w.name}</span>
                <span class="muted mono">{w.slug}</span>
                <span class="ws-meta">
                  <span class="role">{w.role}</span> · created <RelTime iso={w.created_at} />
                </span>
              </a>
            </li>
          ))}
        </ul>
      )}
      <CreateWorkspace />
    </div>
  );
}

function CreateWorkspace() {
  const { api, reloadWorkspaces } = useContext(Ctx);
  const [name, setName] = useState("");
  const [slug, setSlug] = useState("");
  const [slugTouched, setSlugTouched] = useState(false);
  const action = useAction();
  const submit = async (e: Event) => {
    e.preventDefault();
    let created: Workspace | undefined;
    const ok = await action.run(async () => {
      created = await unwrap(api.POST("/v1/workspaces", { body: { name: name.trim(), slug: slug.trim() } }));
    });
    if (ok && created) {
      await reloadWorkspaces();
      navigate(href.overview(created.slug));
    }
  };
  return (
    <form class="card form" onSubmit={submit} aria-labelledby="create-ws-title">
      <h2 id="create-ws-title">New workspace</h2>
      <ProblemBox error={action.error} onDismiss={action.clear} />
      <div class="grid2">
        <Field id="ws-name" label="Name">
          <input
            id="ws-name"
            required
            value={name}
            onInput={(e) => {
              const v = e.currentTarget.value;
              setName(v);
              if (!slugTouched) setSlug(slugify(v));
            }}
            placeholder="Acme CI"
          />
        </Field>
        <Field id="ws-slug" label="Slug" hint="Lower-case letters, digits and dashes; used in URLs.">
          <input
            id="ws-slug"
            required
            value={slug}
            class="mono"
            aria-describedby="ws-slug-hint"
            onInput={(e) => {
              setSlugTouched(true);
              setSlug(e.currentTarget.value);
            }}
            placeholder="acme"
          />
        </Field>
      </div>
      <div class="actions">
        <button class="btn primary" type="submit" disabled={action.busy}>
          {action.busy ? "Creating…" : "Create workspace"}
        </button>
      </div>
    </form>
  );
}
