-- An approval may time out: approval_timeout_seconds is how long a decision may take once
-- the job waits for one (at create with requires_approval, or at a GATE step);
-- approval_deadline is when the current wait ends, set when it begins and cleared when it
-- is decided. Past it the sweeper rejects as the system and the job fails
-- (approval_timeout). Few jobs ever have a deadline: the index holds only those.
ALTER TABLE runner_jobs
    ADD COLUMN approval_timeout_seconds integer
        CONSTRAINT runner_jobs_approval_timeout_seconds_check
        CHECK (approval_timeout_seconds BETWEEN 1 AND 2592000),
    ADD COLUMN approval_deadline timestamptz;
CREATE INDEX runner_jobs_approval_deadline_idx ON runner_jobs (approval_deadline)
    WHERE approval_deadline IS NOT NULL;
