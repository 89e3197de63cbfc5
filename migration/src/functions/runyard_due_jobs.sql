-- The promoter's selection: PENDING jobs whose run_after has come and that wait for no
-- approval, locked for the caller's transaction, which makes them QUEUED. Reads across
-- workspaces as the schema owner; nothing when another replica holds the promoter's lock.
CREATE OR REPLACE FUNCTION runyard_due_jobs(p_limit integer)
RETURNS TABLE (due_workspace uuid, due_job uuid)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('runyard_promoter')) THEN
        RETURN;
    END IF;
    RETURN QUERY
    SELECT j.workspace_id, j.id FROM runner_jobs j
     WHERE j.status = 'PENDING' AND NOT j.requires_approval AND j.run_after <= now()
     ORDER BY j.run_after
     LIMIT p_limit
       FOR UPDATE SKIP LOCKED;
END
$$;
REVOKE ALL ON FUNCTION runyard_due_jobs(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION runyard_due_jobs(integer) TO runyard_app;
