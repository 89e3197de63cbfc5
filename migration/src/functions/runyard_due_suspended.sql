-- The promoter's selection of SUSPENDED jobs: those whose poll time came (to be queued)
-- or whose max_wait_until passed (to fail, polled_timed_out), locked for the caller's
-- transaction, which decides and writes each outcome. Reads across workspaces as the
-- schema owner; nothing when another replica holds the promoter's lock (the caller's own
-- transaction already holds it after runyard_due_jobs: the lock is re-entrant).
CREATE OR REPLACE FUNCTION runyard_due_suspended(p_limit integer)
RETURNS TABLE (polled_workspace uuid, polled_job uuid, polled_timed_out boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('runyard_promoter')) THEN
        RETURN;
    END IF;
    RETURN QUERY
    SELECT j.workspace_id, j.id, coalesce(j.max_wait_until <= now(), false)
      FROM runner_jobs j
     WHERE j.status = 'SUSPENDED' AND least(j.next_poll_at, j.max_wait_until) <= now()
     ORDER BY least(j.next_poll_at, j.max_wait_until)
     LIMIT p_limit
       FOR UPDATE SKIP LOCKED;
END
$$;
REVOKE ALL ON FUNCTION runyard_due_suspended(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION runyard_due_suspended(integer) TO runyard_app;
