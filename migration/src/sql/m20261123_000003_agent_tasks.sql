-- Agent tasks: pause with snapshots, resume, approval gates, workspace quotas, retention,
-- auto-pause, and the transaction ids that order the workspace event feed.

-- Workspace settings (quotas, auto-pause, retention) come back with every entry, so the
-- request path learns them without another round trip.
DROP FUNCTION runyard_enter_workspace(text, text, uuid, text);
CREATE FUNCTION runyard_enter_workspace(p_subject text, p_actor text, p_id uuid, p_slug text)
RETURNS TABLE (entered_id uuid, entered_role text, entered_settings jsonb)
LANGUAGE plpgsql VOLATILE SECURITY INVOKER AS $$
BEGIN
    PERFORM set_config('runyard.subject', p_subject, true);
    PERFORM set_config('runyard.actor', p_actor, true);
    SELECT m.workspace_id, m.role, w.settings INTO entered_id, entered_role, entered_settings
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

DROP FUNCTION runyard_enter_runner(uuid, uuid, text);
CREATE FUNCTION runyard_enter_runner(p_workspace uuid, p_runner uuid, p_token_hash text)
RETURNS TABLE (runner_labels text[], workspace_settings jsonb)
LANGUAGE plpgsql VOLATILE SECURITY INVOKER AS $$
DECLARE
    v_seen timestamptz;
BEGIN
    PERFORM set_config('runyard.workspace_id', p_workspace::text, true);
    PERFORM set_config('runyard.actor', 'runner:' || p_runner::text, true);
    SELECT r.labels, r.last_seen_at, w.settings INTO runner_labels, v_seen, workspace_settings
      FROM runners r
      JOIN workspaces w ON w.id = r.workspace_id
     WHERE r.workspace_id = p_workspace AND r.id = p_runner
       AND r.token_hash = p_token_hash AND r.revoked_at IS NULL;
    IF NOT FOUND THEN
        PERFORM set_config('runyard.workspace_id', '', true);
        RETURN;
    END IF;
    IF v_seen IS NULL OR v_seen < now() - interval '5 seconds' THEN
        UPDATE runners SET last_seen_at = now() WHERE workspace_id = p_workspace AND id = p_runner;
    END IF;
    RETURN NEXT;
END
$$;
REVOKE ALL ON FUNCTION runyard_enter_runner(uuid, uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION runyard_enter_runner(uuid, uuid, text) TO runyard_app;

-- Tasks: a pause is first requested (running jobs are asked to hand back a snapshot), and
-- the task is `paused` once none of its jobs runs any more.
ALTER TABLE agent_tasks
    ADD COLUMN metadata           jsonb NOT NULL DEFAULT '{}'::jsonb,
    ADD COLUMN pause_requested_at timestamptz,
    ADD COLUMN pause_kind         text CHECK (pause_kind IN ('manual', 'auto')),
    ADD COLUMN pause_reason       text,
    ADD COLUMN paused_at          timestamptz,
    ADD COLUMN finished_at        timestamptz,
    ADD COLUMN last_event_seq     bigint NOT NULL DEFAULT 0;
CREATE INDEX agent_tasks_status_idx ON agent_tasks (workspace_id, status, id);
-- The auto-pause scan: active tasks by when they last did something.
CREATE INDEX agent_tasks_idle_idx ON agent_tasks (last_activity_at)
    WHERE status = 'active' AND pause_requested_at IS NULL;
-- Tasks waiting for their running jobs to hand back.
CREATE INDEX agent_tasks_pausing_idx ON agent_tasks (pause_requested_at)
    WHERE pause_requested_at IS NOT NULL;

-- One snapshot per task, overwritten on each pause.
CREATE TABLE task_snapshots (
    workspace_id uuid NOT NULL,
    task_id      uuid NOT NULL,
    job_id       uuid,
    kind         text NOT NULL CHECK (kind IN ('manual', 'auto')),
    reason       text,
    log_snapshot jsonb NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, task_id),
    FOREIGN KEY (workspace_id, task_id) REFERENCES agent_tasks (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, job_id) REFERENCES runner_jobs (workspace_id, id)
        ON DELETE SET NULL (job_id)
);

-- A task's own lifecycle events (created, pause, resume, completed, cancelled), per task
-- gap-free like job events. tx_id orders the workspace feed (see below).
CREATE TABLE task_events (
    workspace_id uuid NOT NULL,
    task_id      uuid NOT NULL,
    seq          bigint NOT NULL CHECK (seq >= 1),
    id           uuid NOT NULL,
    type         text NOT NULL,
    actor        text NOT NULL,
    payload      jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at   timestamptz NOT NULL DEFAULT now(),
    tx_id        xid8 NOT NULL DEFAULT pg_current_xact_id(),
    PRIMARY KEY (workspace_id, task_id, seq),
    FOREIGN KEY (workspace_id, task_id) REFERENCES agent_tasks (workspace_id, id) ON DELETE CASCADE
);

-- The workspace event feed reads events in the order their transactions were assigned
-- ids, and only below the oldest transaction still running (pg_snapshot_xmin): every
-- event it hands out is final, and none can later appear before a cursor.
ALTER TABLE job_events ADD COLUMN tx_id xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX job_events_feed_idx ON job_events (workspace_id, tx_id);
CREATE INDEX task_events_feed_idx ON task_events (workspace_id, tx_id);

-- A runner may report a GATE step as WAITING: the job waits for an approval.
ALTER TABLE job_steps DROP CONSTRAINT job_steps_status_check;
ALTER TABLE job_steps ADD CONSTRAINT job_steps_status_check
    CHECK (status IN ('PENDING', 'RUNNING', 'WAITING', 'COMPLETED', 'FAILED', 'SKIPPED'));

-- resumed_at: the job was re-queued by a resume, so its claims carry the task's snapshot.
ALTER TABLE runner_jobs ADD COLUMN resumed_at timestamptz;
-- The retention scan: finished jobs by age, per workspace.
CREATE INDEX runner_jobs_finished_idx ON runner_jobs (workspace_id, finished_at)
    WHERE status IN ('COMPLETED', 'FAILED', 'CANCELLED');
-- Jobs waiting for an approval, per workspace.
CREATE INDEX runner_jobs_approval_idx ON runner_jobs (workspace_id, id)
    WHERE status = 'PENDING' AND requires_approval;

GRANT SELECT, INSERT, UPDATE ON task_snapshots TO runyard_app;
GRANT SELECT, INSERT ON task_events TO runyard_app;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['task_snapshots', 'task_events']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY workspace_isolation ON %I
                 USING (workspace_id = (SELECT nullif(current_setting(''runyard.workspace_id'', true), '''')::uuid))
                 WITH CHECK (workspace_id = (SELECT nullif(current_setting(''runyard.workspace_id'', true), '''')::uuid))',
            t);
    END LOOP;
    -- The audited sweeps below (SECURITY DEFINER, run as the schema owner) see every row.
    EXECUTE format('CREATE POLICY sweeper ON agent_tasks TO %I USING (true) WITH CHECK (true)', current_user);
    EXECUTE format('CREATE POLICY sweeper ON task_events TO %I USING (true) WITH CHECK (true)', current_user);
    EXECUTE format('CREATE POLICY sweeper ON workspaces TO %I USING (true) WITH CHECK (true)', current_user);
    EXECUTE format('CREATE POLICY sweeper ON job_logs TO %I USING (true) WITH CHECK (true)', current_user);
END
$$;

-- Settles requested pauses: a task whose pause was requested and that has no RUNNING job
-- left becomes `paused`, with a task_manual_pause / task_auto_pause event. With both
-- arguments NULL it settles every such task it can see. SECURITY INVOKER: from the request
-- path it sees the entered workspace only.
CREATE FUNCTION runyard_settle_pauses(p_workspace uuid, p_task uuid)
RETURNS TABLE (settled_workspace uuid, settled_task uuid)
LANGUAGE sql VOLATILE SECURITY INVOKER AS $$
    WITH t AS (
        UPDATE agent_tasks t
           SET status = 'paused', paused_at = now(), pause_requested_at = NULL,
               last_event_seq = t.last_event_seq + 1, updated_at = now()
         WHERE t.status = 'active' AND t.pause_requested_at IS NOT NULL
           AND (p_workspace IS NULL OR (t.workspace_id = p_workspace AND t.id = p_task))
           AND NOT EXISTS (SELECT 1 FROM runner_jobs j
                            WHERE j.workspace_id = t.workspace_id AND j.agent_task_id = t.id
                              AND j.status = 'RUNNING')
        RETURNING t.workspace_id, t.id, t.last_event_seq, t.pause_kind, t.pause_reason
    ), e AS (
        INSERT INTO task_events (workspace_id, task_id, seq, id, type, actor, payload)
        SELECT workspace_id, id, last_event_seq, gen_random_uuid(),
               'task_' || coalesce(pause_kind, 'manual') || '_pause',
               coalesce(nullif(current_setting('runyard.actor', true), ''), 'system'),
               jsonb_build_object('status', 'paused', 'reason', pause_reason, 'kind', pause_kind)
          FROM t
    )
    SELECT workspace_id, id FROM t
$$;
REVOKE ALL ON FUNCTION runyard_settle_pauses(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION runyard_settle_pauses(uuid, uuid) TO runyard_app;

-- The sweeper's settle over every workspace: catches tasks whose last running job was
-- reaped, or whose jobs handed back concurrently.
CREATE FUNCTION runyard_settle_all_pauses()
RETURNS TABLE (settled_workspace uuid, settled_task uuid)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT * FROM runyard_settle_pauses(NULL, NULL)
$$;

-- The reaper learns about pauses: a running job whose task asked it to pause and that did
-- not hand back within p_pause_grace seconds (or whose lease expired meanwhile) becomes
-- PAUSED without a new snapshot; the attempt is not counted. Otherwise as before.
DROP FUNCTION runyard_reap_expired(integer);
CREATE FUNCTION runyard_reap_expired(p_limit integer, p_pause_grace double precision)
RETURNS TABLE (reaped_workspace uuid, reaped_runner uuid)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('runyard_reaper')) THEN
        RETURN;
    END IF;
    RETURN QUERY
    WITH expired AS (
        SELECT workspace_id, id, lease_runner_id,
               CASE WHEN lease_expires_at <= now() THEN 'lease_expired'
                    WHEN pause_requested_at IS NOT NULL
                         AND pause_requested_at + make_interval(secs => p_pause_grace) <= now()
                         THEN 'pause_timed_out'
                    ELSE 'timed_out' END AS why
          FROM runner_jobs
         WHERE status = 'RUNNING'
           AND (lease_expires_at <= now()
                OR started_at + make_interval(secs => timeout_seconds) <= now()
                OR pause_requested_at + make_interval(secs => p_pause_grace) <= now())
         ORDER BY lease_expires_at
         LIMIT p_limit
           FOR UPDATE SKIP LOCKED
    ), decided AS (
        -- The same policy as runyard_domain::after_failed_attempt, plus pauses.
        SELECT e.workspace_id, e.id, e.why, e.lease_runner_id,
               CASE WHEN j.cancel_requested_at IS NOT NULL THEN 'CANCELLED'
                    WHEN j.pause_requested_at IS NOT NULL THEN 'PAUSED'
                    WHEN j.attempt >= j.max_attempts THEN 'FAILED'
                    WHEN j.backoff_base_seconds = 0 THEN 'QUEUED'
                    ELSE 'PENDING' END AS next_status,
               least(3600, j.backoff_base_seconds * power(2, least(greatest(j.attempt - 1, 0), 20)))
                   * (0.5 + random()) AS backoff,
               (SELECT 'task_' || coalesce(t.pause_kind, 'manual') || '_pause' FROM agent_tasks t
                 WHERE t.workspace_id = j.workspace_id AND t.id = j.agent_task_id) AS pause_event
          FROM expired e JOIN runner_jobs j ON j.workspace_id = e.workspace_id AND j.id = e.id
    ), updated AS (
        UPDATE runner_jobs j
           SET status = d.next_status,
               run_after = CASE WHEN d.next_status = 'PENDING'
                                THEN now() + make_interval(secs => d.backoff) ELSE j.run_after END,
               finished_at = CASE WHEN d.next_status IN ('FAILED', 'CANCELLED') THEN now() END,
               error = CASE WHEN d.next_status = 'PAUSED' THEN j.error
                            ELSE jsonb_build_object('reason', d.why, 'attempt', j.attempt) END,
               attempt = CASE WHEN d.next_status = 'PAUSED' THEN j.attempt - 1 ELSE j.attempt END,
               started_at = CASE WHEN d.next_status = 'PAUSED' THEN NULL ELSE j.started_at END,
               pause_requested_at = CASE WHEN d.next_status = 'PAUSED' THEN NULL
                                         ELSE j.pause_requested_at END,
               lease_runner_id = NULL, lease_expires_at = NULL,
               last_event_seq = j.last_event_seq + 1, updated_at = now()
          FROM decided d
         WHERE j.workspace_id = d.workspace_id AND j.id = d.id
        RETURNING j.workspace_id, j.id, j.last_event_seq, j.status, j.attempt, j.run_after, d.why,
                  d.lease_runner_id, d.pause_event
    ), events AS (
        INSERT INTO job_events (workspace_id, job_id, seq, id, type, actor, payload)
        SELECT u.workspace_id, u.id, u.last_event_seq, gen_random_uuid(),
               CASE WHEN u.status = 'PAUSED' THEN coalesce(u.pause_event, 'task_manual_pause')
                    ELSE 'job_' || u.why END,
               'system',
               jsonb_build_object('status', u.status, 'attempt', u.attempt, 'run_after', u.run_after,
                                  'runner_id', u.lease_runner_id, 'reason', u.why)
          FROM updated u
    )
    SELECT u.workspace_id, u.lease_runner_id FROM updated u;
END
$$;

-- Active tasks idle for longer than their workspace's auto_pause_after_seconds: nothing
-- happened to the task, and no event or log line was written for any of its jobs, in that
-- long. Heartbeats alone are not activity.
CREATE FUNCTION runyard_idle_tasks(p_limit integer)
RETURNS TABLE (idle_workspace uuid, idle_task uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT t.workspace_id, t.id
      FROM agent_tasks t
      JOIN workspaces w ON w.id = t.workspace_id
      CROSS JOIN LATERAL (
          SELECT now() - make_interval(secs => (w.settings ->> 'auto_pause_after_seconds')::float8) AS cutoff
      ) c
     WHERE t.status = 'active' AND t.pause_requested_at IS NULL
       AND jsonb_typeof(w.settings -> 'auto_pause_after_seconds') = 'number'
       AND t.last_activity_at < c.cutoff
       AND NOT EXISTS (
           SELECT 1 FROM runner_jobs j
            WHERE j.workspace_id = t.workspace_id AND j.agent_task_id = t.id
              AND (EXISTS (SELECT 1 FROM job_events e
                               WHERE e.workspace_id = j.workspace_id AND e.job_id = j.id
                                 AND e.seq = j.last_event_seq AND e.created_at >= c.cutoff)
                   OR EXISTS (SELECT 1 FROM (SELECT l.created_at FROM job_logs l
                                              WHERE l.workspace_id = j.workspace_id AND l.job_id = j.id
                                              ORDER BY l.seq DESC LIMIT 1) last_log
                               WHERE last_log.created_at >= c.cutoff)))
     ORDER BY t.last_activity_at
     LIMIT p_limit
$$;

-- Retention: deletes up to p_limit finished jobs older than their workspace's
-- retention_days, with their steps, events, logs and artifacts (foreign keys cascade).
-- Returns how many jobs went; the caller repeats while a batch comes back full.
CREATE FUNCTION runyard_apply_retention(p_limit integer)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_deleted bigint;
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('runyard_retention')) THEN
        RETURN 0;
    END IF;
    WITH doomed AS (
        SELECT d.workspace_id, d.id
          FROM workspaces w
          CROSS JOIN LATERAL (
              SELECT j.workspace_id, j.id FROM runner_jobs j
               WHERE j.workspace_id = w.id
                 AND j.status IN ('COMPLETED', 'FAILED', 'CANCELLED')
                 AND j.finished_at < now() - make_interval(days => (w.settings ->> 'retention_days')::int)
               ORDER BY j.finished_at
               LIMIT p_limit
          ) d
         WHERE jsonb_typeof(w.settings -> 'retention_days') = 'number'
         LIMIT p_limit
    )
    DELETE FROM runner_jobs r USING doomed d WHERE r.workspace_id = d.workspace_id AND r.id = d.id;
    GET DIAGNOSTICS v_deleted = ROW_COUNT;
    RETURN v_deleted;
END
$$;

REVOKE ALL ON FUNCTION runyard_reap_expired(integer, double precision), runyard_idle_tasks(integer),
    runyard_apply_retention(integer), runyard_settle_all_pauses() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION runyard_reap_expired(integer, double precision), runyard_idle_tasks(integer),
    runyard_apply_retention(integer), runyard_settle_all_pauses() TO runyard_app;
