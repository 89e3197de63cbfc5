-- Queue statistics for /metrics: how many jobs wait in each non-terminal status across
-- every workspace, and since when the oldest claimable one has waited. Like the sweeps,
-- this reads across workspaces as the schema owner (its `sweeper` policy sees every row),
-- and the app role may only EXECUTE it. It returns counts, never rows.

-- Jobs held back by something other than time (an approval, a paused task) have no
-- partial index of their own yet; this one keeps counting them as cheap as the others,
-- and it is small: neither state is on the hot path of enqueue, claim or finish.
CREATE INDEX runner_jobs_held_idx ON runner_jobs (status, requires_approval)
    WHERE status = 'PAUSED' OR (status = 'PENDING' AND requires_approval);

-- Each count is answered from a partial index: runner_jobs_due_idx and
-- runner_jobs_held_idx (PENDING), runner_jobs_claim_idx (QUEUED, which also gives the
-- oldest run_after), runner_jobs_lease_idx (RUNNING), runner_jobs_held_idx (PAUSED).
CREATE FUNCTION runyard_queue_stats()
RETURNS TABLE (stat_status text, stat_jobs bigint, stat_oldest_run_after timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT 'PENDING',
           (SELECT count(*) FROM runner_jobs WHERE status = 'PENDING' AND NOT requires_approval)
         + (SELECT count(*) FROM runner_jobs WHERE status = 'PENDING' AND requires_approval),
           NULL::timestamptz
    UNION ALL
    SELECT 'QUEUED', count(*), min(run_after) FROM runner_jobs WHERE status = 'QUEUED'
    UNION ALL
    SELECT 'RUNNING', count(*), NULL FROM runner_jobs WHERE status = 'RUNNING'
    UNION ALL
    SELECT 'PAUSED', count(*), NULL FROM runner_jobs WHERE status = 'PAUSED'
$$;

REVOKE ALL ON FUNCTION runyard_queue_stats() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION runyard_queue_stats() TO runyard_app;
