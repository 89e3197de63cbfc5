-- Retention: deletes up to p_limit finished jobs older than their workspace's
-- retention_days, with their steps, events, logs and artifacts (foreign keys cascade).
-- Returns how many jobs went; the caller repeats while a batch comes back full.
CREATE OR REPLACE FUNCTION runyard_apply_retention(p_limit integer)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_deleted bigint;
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('runyard_retention')) THEN
        RETURN 0;
    END IF;
    WITH doomed AS (
        SELECT d.workspace_id, d.id
          FROM workspaces w
          CROSS JOIN LATERAL (
              SELECT j.workspace_id, j.id FROM runner_jobs j
               WHERE j.workspace_id = w.id
                 AND j.status IN ('COMPLETED', 'FAILED', 'CANCELLED')
                 AND j.finished_at < now() - make_interval(days => (w.settings ->> 'retention_days')::int)
               ORDER BY j.finished_at
               LIMIT p_limit
          ) d
         WHERE jsonb_typeof(w.settings -> 'retention_days') = 'number'
         LIMIT p_limit
    )
    DELETE FROM runner_jobs r USING doomed d WHERE r.workspace_id = d.workspace_id AND r.id = d.id;
    GET DIAGNOSTICS v_deleted = ROW_COUNT;
    RETURN v_deleted;
END
$$;
REVOKE ALL ON FUNCTION runyard_apply_retention(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION runyard_apply_retention(integer) TO runyard_app;
