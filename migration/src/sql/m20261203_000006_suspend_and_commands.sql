-- Why a job ended and who cancelled it; jobs suspended by their runner until a poll time
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
    ADD COLUMN suspensions integer NOT NULL DEFAULT 0 CHECK (suspensions >= 0);

CREATE INDEX runner_jobs_failure_kind_idx ON runner_jobs (workspace_id, failure_kind, id)
    WHERE failure_kind IS NOT NULL;
-- The promoter's view of suspended jobs: the earlier of their poll time and deadline.
CREATE INDEX runner_jobs_suspended_idx
    ON runner_jobs (least(next_poll_at, max_wait_until))
    WHERE status = 'SUSPENDED';
