-- Queue statistics for /metrics: how many jobs wait in each non-terminal status across
-- every workspace, and since when the oldest claimable one has waited. Like the sweeps,
-- this reads across workspaces as the schema owner (its `sweeper` policy sees every row),
-- and the app role may only EXECUTE it. It returns counts, never rows.
CREATE OR REPLACE FUNCTION runyard_queue_stats()
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
