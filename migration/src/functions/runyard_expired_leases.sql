-- The lease reaper's selection: RUNNING jobs whose lease expired, whose attempt ran past
-- its timeout, or that ignored their task's pause request for longer than p_pause_grace
-- seconds. The rows are locked for the caller's transaction, which decides each outcome
-- (runyard_domain::after_lost_lease) and writes it. Attempts that ended in a suspend do
-- not count: they are added to max_attempts. Reads across workspaces as the schema
-- owner; nothing when another replica holds the reaper's lock.
CREATE OR REPLACE FUNCTION runyard_expired_leases(p_limit integer, p_pause_grace double precision)
RETURNS TABLE (lease_workspace uuid, lease_job uuid, lease_runner uuid, lease_attempt integer,
               lease_max_attempts integer, lease_backoff_seconds integer,
               lease_cancel_requested boolean, lease_pause_requested boolean, lease_why text,
               lease_pause_kind text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('runyard_reaper')) THEN
        RETURN;
    END IF;
    RETURN QUERY
    SELECT j.workspace_id, j.id, j.lease_runner_id, j.attempt, j.max_attempts + j.suspensions,
           j.backoff_base_seconds, j.cancel_requested_at IS NOT NULL,
           j.pause_requested_at IS NOT NULL,
           CASE WHEN j.lease_expires_at <= now() THEN 'lease_expired'
                WHEN j.pause_requested_at IS NOT NULL
                     AND j.pause_requested_at + make_interval(secs => p_pause_grace) <= now()
                     THEN 'pause_timed_out'
                ELSE 'timed_out' END,
           (SELECT t.pause_kind FROM agent_tasks t
             WHERE t.workspace_id = j.workspace_id AND t.id = j.agent_task_id)
      FROM runner_jobs j
     WHERE j.status = 'RUNNING'
       AND (j.lease_expires_at <= now()
            OR j.started_at + make_interval(secs => j.timeout_seconds) <= now()
            OR j.pause_requested_at + make_interval(secs => p_pause_grace) <= now())
     ORDER BY j.lease_expires_at
     LIMIT p_limit
       FOR UPDATE OF j SKIP LOCKED;
END
$$;
REVOKE ALL ON FUNCTION runyard_expired_leases(integer, double precision) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION runyard_expired_leases(integer, double precision) TO runyard_app;
