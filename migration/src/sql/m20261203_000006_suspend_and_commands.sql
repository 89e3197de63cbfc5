-- Why a job ended and who cancelled it; each paused job's own snapshot; jobs suspended by their runner until a poll time
-- (SUSPENDED), with the state they handed back and the deadline past which they fail.

ALTER TABLE runner_jobs DROP CONSTRAINT runner_jobs_status_check;
ALTER TABLE runner_jobs ADD CONSTRAINT runner_jobs_status_check
    CHECK (status IN ('PENDING', 'QUEUED', 'RUNNING', 'PAUSED', 'SUSPENDED',
                      'COMPLETED', 'FAILED', 'CANCELLED'));

ALTER TABLE runner_jobs
    -- Set when the job finishes without success; cleared by a retry.
    ADD COLUMN failure_kind text
        CHECK (failure_kind IN ('error', 'timeout', 'lease_expired', 'max_attempts', 'cancelled',
                                'rejected', 'suspend_timeout', 'approval_timeout')),
    -- Who asked for a cancel (`user:<sub>`, `system`) and why.
    ADD COLUMN cancelled_by text,
    ADD COLUMN cancel_reason text,
    -- While SUSPENDED: when the promoter re-queues it, and when it fails instead.
    ADD COLUMN next_poll_at timestamptz,
    ADD COLUMN max_wait_until timestamptz,
    -- What the runner handed back at its latest suspend; the next claims receive it.
    ADD COLUMN suspended_state jsonb,
    -- Attempts ended by a suspend: they do not count against max_attempts.
    ADD COLUMN suspensions integer NOT NULL DEFAULT 0 CHECK (suspensions >= 0),
    -- The snapshot this job handed back at its task's latest pause (the task's own
    -- snapshot keeps only the last hand-back): the first claim after a resume gets it.
    ADD COLUMN resume_state jsonb;

CREATE INDEX runner_jobs_failure_kind_idx ON runner_jobs (workspace_id, failure_kind, id)
    WHERE failure_kind IS NOT NULL;
-- The promoter's view of suspended jobs: the earlier of their poll time and deadline.
CREATE INDEX runner_jobs_suspended_idx
    ON runner_jobs (least(next_poll_at, max_wait_until))
    WHERE status = 'SUSPENDED';

-- Commands sent to a job (a user's next turn, a steer), numbered gap-free per job (taken
-- under the job's row lock), delivered to its runner and acknowledged by seq. A command
-- is re-delivered to each new attempt until it is acknowledged; `expired` is how an
-- unacknowledged command of a finished job reads (derived, not stored).
CREATE TABLE job_commands (
    workspace_id      uuid NOT NULL,
    job_id            uuid NOT NULL,
    seq               bigint NOT NULL CHECK (seq >= 1),
    type              text NOT NULL CHECK (length(type) BETWEEN 1 AND 100),
    payload           jsonb NOT NULL DEFAULT '{}'::jsonb,
    status            text NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'delivered', 'acked', 'expired')),
    created_by        text NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    -- The attempt it was last handed to, and when.
    delivered_attempt integer,
    delivered_at      timestamptz,
    acked_attempt     integer,
    acked_at          timestamptz,
    result            jsonb,
    PRIMARY KEY (workspace_id, job_id, seq),
    FOREIGN KEY (workspace_id, job_id) REFERENCES runner_jobs (workspace_id, id) ON DELETE CASCADE
);

GRANT SELECT, INSERT, UPDATE ON job_commands TO runyard_app;

ALTER TABLE job_commands ENABLE ROW LEVEL SECURITY;
ALTER TABLE job_commands FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON job_commands
    USING (workspace_id = (SELECT nullif(current_setting('runyard.workspace_id', true), '')::uuid))
    WITH CHECK (workspace_id = (SELECT nullif(current_setting('runyard.workspace_id', true), '')::uuid));

-- Long-polling runners wait with LISTEN runyard_commands; the payload is the job id.
CREATE FUNCTION runyard_notify_commands() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('runyard_commands', j::text)
       FROM (SELECT DISTINCT job_id AS j FROM new_commands) c;
    RETURN NULL;
END
$$;
CREATE TRIGGER job_commands_notify AFTER INSERT ON job_commands
    REFERENCING NEW TABLE AS new_commands
    FOR EACH STATEMENT EXECUTE FUNCTION runyard_notify_commands();

-- Steps belong to an attempt: a new attempt starts with none, earlier ones stay readable.
ALTER TABLE job_steps ADD COLUMN attempt integer;
UPDATE job_steps s SET attempt = greatest(j.attempt, 1)
  FROM runner_jobs j WHERE j.workspace_id = s.workspace_id AND j.id = s.job_id;
ALTER TABLE job_steps ALTER COLUMN attempt SET NOT NULL;
ALTER TABLE job_steps DROP CONSTRAINT job_steps_ordinal_key;
ALTER TABLE job_steps ADD CONSTRAINT job_steps_ordinal_key
    UNIQUE (workspace_id, job_id, attempt, ordinal);
