-- Idempotency keys are optional and most jobs have none, yet the unique key indexed every
-- job, NULL keys included: one index entry written (and WAL-logged) per enqueue and per
-- non-HOT update for nothing. The key stays unique per workspace where it is set; inserts
-- name the predicate in ON CONFLICT so the partial index is the arbiter.
ALTER TABLE runner_jobs DROP CONSTRAINT runner_jobs_idempotency_key;
CREATE UNIQUE INDEX runner_jobs_idempotency_key ON runner_jobs (workspace_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
