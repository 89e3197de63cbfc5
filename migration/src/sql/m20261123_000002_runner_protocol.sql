-- Runner protocol: runners, job logs and artifacts, lease bookkeeping, queue
-- notifications, and the audited cross-workspace sweeps (lease reaper, due-job promoter).

CREATE TABLE runners (
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id           uuid NOT NULL,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    labels       text[] NOT NULL DEFAULT '{}',
    -- sha256 (hex) of the token's secret part; the token itself is never stored
    token_hash   text NOT NULL,
    created_by   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz,
    revoked_at   timestamptz,
    PRIMARY KEY (workspace_id, id)
);

ALTER TABLE runner_jobs
    ADD CONSTRAINT runner_jobs_lease_runner_fkey FOREIGN KEY (workspace_id, lease_runner_id)
        REFERENCES runners (workspace_id, id);
-- The reaper's scan: running jobs by when their lease ends.
CREATE INDEX runner_jobs_lease_idx ON runner_jobs (lease_expires_at) WHERE status = 'RUNNING';
-- The promoter's scan: jobs waiting for their time (not for an approval).
CREATE INDEX runner_jobs_due_idx ON runner_jobs (run_after)
    WHERE status = 'PENDING' AND NOT requires_approval;

CREATE TABLE job_logs (
    workspace_id uuid NOT NULL,
    job_id       uuid NOT NULL,
    seq          bigint NOT NULL CHECK (seq >= 1),
    attempt      integer NOT NULL,
    stream       text NOT NULL CHECK (stream IN ('stdout', 'stderr', 'system')),
    body         text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, job_id, seq),
    FOREIGN KEY (workspace_id, job_id) REFERENCES runner_jobs (workspace_id, id) ON DELETE CASCADE
);

CREATE TABLE job_artifacts (
    workspace_id uuid NOT NULL,
    id           uuid NOT NULL,
    job_id       uuid NOT NULL,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    attempt      integer NOT NULL,
    content_type text NOT NULL,
    size         bigint NOT NULL CHECK (size >= 0),
    sha256       text NOT NULL,
    content      bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, id),
    CONSTRAINT job_artifacts_name_key UNIQUE (workspace_id, job_id, name),
    FOREIGN KEY (workspace_id, job_id) REFERENCES runner_jobs (workspace_id, id) ON DELETE CASCADE
);

GRANT SELECT, INSERT, UPDATE ON runners TO runyard_app;
GRANT SELECT, INSERT ON job_logs TO runyard_app;
GRANT SELECT, INSERT, UPDATE ON job_artifacts TO runyard_app;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['runners', 'job_logs', 'job_artifacts']
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

-- Runners wait for work with LISTEN runyard_jobs (payload: the workspace id). The
-- server sends those notifications itself, after commit and batched, from every path
-- that makes jobs claimable: a NOTIFY inside the enqueue transaction would serialise all
-- enqueues on the notification queue's lock at commit.

-- Live log tails wait with LISTEN runyard_logs; the payload is the job id.
CREATE FUNCTION runyard_notify_logs() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('runyard_logs', j::text) FROM (SELECT DISTINCT job_id AS j FROM new_logs) l;
    RETURN NULL;
END
$$;
CREATE TRIGGER job_logs_notify AFTER INSERT ON job_logs
    REFERENCING NEW TABLE AS new_logs
    FOR EACH STATEMENT EXECUTE FUNCTION runyard_notify_logs();

-- Enters the workspace of a runner token: checks the runner exists, is not revoked and
-- that the token's secret hashes to what was stored; then sets runyard.workspace_id and
-- runyard.actor for the rest of the transaction and returns the runner's labels.
-- last_seen_at is refreshed at most every few seconds, to keep hot paths write-light.
CREATE FUNCTION runyard_enter_runner(p_workspace uuid, p_runner uuid, p_token_hash text)
RETURNS TABLE (runner_labels text[])
LANGUAGE plpgsql VOLATILE SECURITY INVOKER AS $$
DECLARE
    v_seen timestamptz;
BEGIN
    PERFORM set_config('runyard.workspace_id', p_workspace::text, true);
    PERFORM set_config('runyard.actor', 'runner:' || p_runner::text, true);
    SELECT r.labels, r.last_seen_at INTO runner_labels, v_seen
      FROM runners r
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

-- The cross-workspace sweeps. They are the only path that reads across workspaces: a
-- policy lets the schema owner (who runs these SECURITY DEFINER functions) see every
-- row of runner_jobs and job_events, and the app role may only EXECUTE them. One
-- replica at a time runs each, via a transaction-scoped advisory lock.
DO $$
BEGIN
    EXECUTE format('CREATE POLICY sweeper ON runner_jobs TO %I USING (true) WITH CHECK (true)', current_user);
    EXECUTE format('CREATE POLICY sweeper ON job_events TO %I USING (true) WITH CHECK (true)', current_user);
END
$$;

-- Expired leases and attempts past their timeout become failed attempts: back to the
-- queue after an exponential backoff with jitter, FAILED after max_attempts, CANCELLED
-- when a cancel was requested. Returns one row per job handled, naming the runner that
-- lost it (none when another replica holds the lock).
CREATE FUNCTION runyard_reap_expired(p_limit integer)
RETURNS TABLE (reaped_workspace uuid, reaped_runner uuid)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('runyard_reaper')) THEN
        RETURN;
    END IF;
    RETURN QUERY
    WITH expired AS (
        SELECT workspace_id, id, lease_runner_id,
               CASE WHEN lease_expires_at <= now() THEN 'lease_expired' ELSE 'timed_out' END AS why
          FROM runner_jobs
         WHERE status = 'RUNNING'
           AND (lease_expires_at <= now()
                OR started_at + make_interval(secs => timeout_seconds) <= now())
         ORDER BY lease_expires_at
         LIMIT p_limit
           FOR UPDATE SKIP LOCKED
    ), decided AS (
        -- The same policy as runyard_domain::after_failed_attempt.
        SELECT e.workspace_id, e.id, e.why, e.lease_runner_id,
               CASE WHEN j.cancel_requested_at IS NOT NULL THEN 'CANCELLED'
                    WHEN j.attempt >= j.max_attempts THEN 'FAILED'
                    WHEN j.backoff_base_seconds = 0 THEN 'QUEUED'
                    ELSE 'PENDING' END AS next_status,
               least(3600, j.backoff_base_seconds * power(2, least(greatest(j.attempt - 1, 0), 20)))
                   * (0.5 + random()) AS backoff
          FROM expired e JOIN runner_jobs j ON j.workspace_id = e.workspace_id AND j.id = e.id
    ), updated AS (
        UPDATE runner_jobs j
           SET status = d.next_status,
               run_after = CASE WHEN d.next_status = 'PENDING'
                                THEN now() + make_interval(secs => d.backoff) ELSE j.run_after END,
               finished_at = CASE WHEN d.next_status IN ('FAILED', 'CANCELLED') THEN now() END,
               error = jsonb_build_object('reason', d.why, 'attempt', j.attempt),
               lease_runner_id = NULL, lease_expires_at = NULL,
               last_event_seq = j.last_event_seq + 1, updated_at = now()
          FROM decided d
         WHERE j.workspace_id = d.workspace_id AND j.id = d.id
        RETURNING j.workspace_id, j.id, j.last_event_seq, j.status, j.attempt, j.run_after, d.why,
                  d.lease_runner_id
    ), events AS (
        INSERT INTO job_events (workspace_id, job_id, seq, id, type, actor, payload)
        SELECT u.workspace_id, u.id, u.last_event_seq, gen_random_uuid(), 'job_' || u.why, 'system',
               jsonb_build_object('status', u.status, 'attempt', u.attempt, 'run_after', u.run_after,
                                  'runner_id', u.lease_runner_id)
          FROM updated u
    )
    SELECT u.workspace_id, u.lease_runner_id FROM updated u;
END
$$;

-- PENDING jobs whose run_after has come (and that wait for no approval) become QUEUED.
-- Returns the workspaces that got claimable work.
CREATE FUNCTION runyard_promote_due(p_limit integer)
RETURNS TABLE (promoted_workspace uuid)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('runyard_promoter')) THEN
        RETURN;
    END IF;
    RETURN QUERY
    WITH due AS (
        SELECT workspace_id, id FROM runner_jobs
         WHERE status = 'PENDING' AND NOT requires_approval AND run_after <= now()
         ORDER BY run_after
         LIMIT p_limit
           FOR UPDATE SKIP LOCKED
    ), updated AS (
        UPDATE runner_jobs j
           SET status = 'QUEUED', last_event_seq = j.last_event_seq + 1, updated_at = now()
          FROM due d
         WHERE j.workspace_id = d.workspace_id AND j.id = d.id
        RETURNING j.workspace_id, j.id, j.last_event_seq, j.attempt
    ), events AS (
        INSERT INTO job_events (workspace_id, job_id, seq, id, type, actor, payload)
        SELECT u.workspace_id, u.id, u.last_event_seq, gen_random_uuid(), 'job_queued', 'system',
               jsonb_build_object('status', 'QUEUED', 'attempt', u.attempt)
          FROM updated u
    )
    SELECT u.workspace_id FROM updated u;
END
$$;

-- When the next PENDING job falls due, so the promoter can sleep until then.
CREATE FUNCTION runyard_next_due() RETURNS timestamptz
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT min(run_after) FROM runner_jobs WHERE status = 'PENDING' AND NOT requires_approval
$$;

REVOKE ALL ON FUNCTION runyard_reap_expired(integer), runyard_promote_due(integer), runyard_next_due() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION runyard_reap_expired(integer), runyard_promote_due(integer), runyard_next_due() TO runyard_app;
