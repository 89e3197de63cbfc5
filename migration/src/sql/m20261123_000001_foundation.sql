-- Foundation: workspaces, members, agent tasks, runner jobs, steps and events,
-- the runyard_app role's grants, and row-level security on every tenant table.
--
-- Isolation rule (DESIGN §3): a tenant row is visible only when its workspace_id equals
-- the transaction-local setting runyard.workspace_id. No setting, no rows.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'runyard_app') THEN
        CREATE ROLE runyard_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO runyard_app;
-- /readyz reports the schema version.
GRANT SELECT ON seaql_migrations TO runyard_app;

CREATE TABLE workspaces (
    id          uuid PRIMARY KEY,
    slug        text NOT NULL,
    name        text NOT NULL,
    settings    jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT workspaces_slug_key UNIQUE (slug)
);

CREATE TABLE workspace_members (
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    subject      text NOT NULL CHECK (length(subject) BETWEEN 1 AND 255),
    role         text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, subject)
);
CREATE INDEX workspace_members_subject_idx ON workspace_members (subject);

CREATE TABLE agent_tasks (
    workspace_id     uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id               uuid NOT NULL,
    title            text NOT NULL,
    status           text NOT NULL DEFAULT 'active'
                     CHECK (status IN ('active', 'paused', 'completed', 'failed', 'cancelled')),
    last_activity_at timestamptz NOT NULL DEFAULT now(),
    created_by       text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, id)
);

CREATE TABLE runner_jobs (
    workspace_id         uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id                   uuid NOT NULL,
    agent_task_id        uuid,
    type                 text NOT NULL,
    payload              jsonb NOT NULL DEFAULT '{}'::jsonb,
    labels               text[] NOT NULL DEFAULT '{}',
    priority             smallint NOT NULL DEFAULT 0 CHECK (priority BETWEEN -100 AND 100),
    status               text NOT NULL
                         CHECK (status IN ('PENDING', 'QUEUED', 'RUNNING', 'PAUSED',
                                           'COMPLETED', 'FAILED', 'CANCELLED')),
    requires_approval    boolean NOT NULL DEFAULT false,
    attempt              integer NOT NULL DEFAULT 0 CHECK (attempt >= 0),
    max_attempts         integer NOT NULL DEFAULT 3 CHECK (max_attempts BETWEEN 1 AND 100),
    backoff_base_seconds integer NOT NULL DEFAULT 10 CHECK (backoff_base_seconds >= 0),
    run_after            timestamptz NOT NULL DEFAULT now(),
    timeout_seconds      integer NOT NULL DEFAULT 3600 CHECK (timeout_seconds > 0),
    idempotency_key      text,
    payload_hash         text,
    lease_runner_id      uuid,
    lease_expires_at     timestamptz,
    cancel_requested_at  timestamptz,
    pause_requested_at   timestamptz,
    progress             jsonb,
    result               jsonb,
    error                jsonb,
    -- seq of the job's newest event; events take seq = last_event_seq + 1 under the row lock
    last_event_seq       bigint NOT NULL DEFAULT 0,
    created_by           text NOT NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    started_at           timestamptz,
    finished_at          timestamptz,
    PRIMARY KEY (workspace_id, id),
    CONSTRAINT runner_jobs_agent_task_fkey FOREIGN KEY (workspace_id, agent_task_id)
        REFERENCES agent_tasks (workspace_id, id),
    CONSTRAINT runner_jobs_idempotency_key UNIQUE (workspace_id, idempotency_key)
);
-- The claim order of DESIGN §5, over claimable jobs only.
CREATE INDEX runner_jobs_claim_idx ON runner_jobs (workspace_id, priority DESC, run_after, id)
    WHERE status = 'QUEUED';
CREATE INDEX runner_jobs_status_idx ON runner_jobs (workspace_id, status, id);
CREATE INDEX runner_jobs_task_idx ON runner_jobs (workspace_id, agent_task_id, id)
    WHERE agent_task_id IS NOT NULL;

CREATE TABLE job_steps (
    workspace_id  uuid NOT NULL,
    id            uuid NOT NULL,
    job_id        uuid NOT NULL,
    ordinal       integer NOT NULL CHECK (ordinal >= 0),
    name          text NOT NULL,
    phase         text NOT NULL CHECK (phase IN ('SETUP', 'EXECUTION', 'VALIDATION', 'CLEANUP')),
    type          text NOT NULL CHECK (type IN ('COMMAND', 'AI_ACTION', 'GATE', 'ARTIFACT')),
    status        text NOT NULL
                  CHECK (status IN ('PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'SKIPPED')),
    started_at    timestamptz,
    completed_at  timestamptz,
    duration_ms   bigint CHECK (duration_ms >= 0),
    input_tokens  bigint CHECK (input_tokens >= 0),
    output_tokens bigint CHECK (output_tokens >= 0),
    cost          double precision CHECK (cost >= 0),
    output        jsonb,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, id),
    CONSTRAINT job_steps_ordinal_key UNIQUE (workspace_id, job_id, ordinal),
    FOREIGN KEY (workspace_id, job_id) REFERENCES runner_jobs (workspace_id, id) ON DELETE CASCADE
);

CREATE TABLE job_events (
    workspace_id uuid NOT NULL,
    job_id       uuid NOT NULL,
    seq          bigint NOT NULL CHECK (seq >= 1),
    id           uuid NOT NULL,
    step_id      uuid,
    type         text NOT NULL,
    actor        text NOT NULL,
    payload      jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, job_id, seq),
    FOREIGN KEY (workspace_id, job_id) REFERENCES runner_jobs (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, step_id) REFERENCES job_steps (workspace_id, id) ON DELETE CASCADE
);

-- Least privilege for the server's role. job_events is append-only: no UPDATE, no DELETE.
GRANT SELECT, INSERT, UPDATE ON workspaces TO runyard_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON workspace_members TO runyard_app;
GRANT SELECT, INSERT, UPDATE ON agent_tasks, runner_jobs, job_steps TO runyard_app;
GRANT SELECT, INSERT ON job_events TO runyard_app;

-- Row-level security, enabled and forced (the owner is bound by it too).
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['workspace_members', 'agent_tasks', 'runner_jobs', 'job_steps', 'job_events']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY workspace_isolation ON %I
                 USING (workspace_id = (SELECT nullif(current_setting(''runyard.workspace_id'', true), '''')::uuid))
                 WITH CHECK (workspace_id = (SELECT nullif(current_setting(''runyard.workspace_id'', true), '''')::uuid))',
            t);
    END LOOP;
END
$$;

ALTER TABLE workspaces ENABLE ROW LEVEL SECURITY;
ALTER TABLE workspaces FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON workspaces
    USING (id = (SELECT nullif(current_setting('runyard.workspace_id', true), '')::uuid))
    WITH CHECK (id = (SELECT nullif(current_setting('runyard.workspace_id', true), '')::uuid));

-- A user may see their own memberships, and the workspaces they belong to, so that
-- "list my workspaces" and resolving {ws} work before a workspace is chosen.
CREATE POLICY own_memberships ON workspace_members FOR SELECT
    USING (subject = (SELECT nullif(current_setting('runyard.subject', true), '')));
CREATE POLICY member_workspaces ON workspaces FOR SELECT
    USING (EXISTS (
        SELECT 1 FROM workspace_members m
         WHERE m.workspace_id = workspaces.id
           AND m.subject = (SELECT nullif(current_setting('runyard.subject', true), ''))));

-- Enters a workspace for the rest of the transaction: records the caller, finds the
-- caller's membership of the workspace named by id or slug, and sets
-- runyard.workspace_id. No row when the caller is not a member (or it does not exist).
-- SECURITY INVOKER: it sees only what the caller's own policies allow.
CREATE FUNCTION runyard_enter_workspace(p_subject text, p_actor text, p_id uuid, p_slug text)
RETURNS TABLE (entered_id uuid, entered_role text)
LANGUAGE plpgsql VOLATILE SECURITY INVOKER AS $$
BEGIN
    PERFORM set_config('runyard.subject', p_subject, true);
    PERFORM set_config('runyard.actor', p_actor, true);
    SELECT m.workspace_id, m.role INTO entered_id, entered_role
      FROM workspace_members m
      JOIN workspaces w ON w.id = m.workspace_id
     WHERE m.subject = p_subject
       AND ((p_id IS NOT NULL AND w.id = p_id) OR (p_id IS NULL AND w.slug = p_slug));
    IF entered_id IS NULL THEN
        RETURN;
    END IF;
    PERFORM set_config('runyard.workspace_id', entered_id::text, true);
    RETURN NEXT;
END
$$;
REVOKE ALL ON FUNCTION runyard_enter_workspace(text, text, uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION runyard_enter_workspace(text, text, uuid, text) TO runyard_app;
