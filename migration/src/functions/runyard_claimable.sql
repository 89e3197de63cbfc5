-- The QUEUED jobs of a workspace a claim takes next: up to p_limit whose labels are within
-- p_labels, in priority, then run_after, then id order, locked (SKIP LOCKED: concurrent
-- claimers never wait for or get the same job). Returns each job's id and the snapshot a
-- resumed job hands over.
--
-- Only the partial claim index delivers the jobs in claim order, so only it can stop
-- after p_limit entries. A workspace the statistics know nothing about (new, or quiet at
-- the last ANALYZE, or a burst into an empty table) is estimated at one row, and with one
-- row a sort looks free: the planner then read and sorted the workspace's whole backlog
-- through the status index on every claim. Sorting is therefore off inside this function,
-- which leaves the claim index as the one sensible plan whatever the estimates.
-- SECURITY INVOKER: row-level security applies as to the caller.
CREATE OR REPLACE FUNCTION runyard_claimable(p_workspace uuid, p_labels text[], p_limit integer)
RETURNS TABLE (id uuid, handed jsonb)
LANGUAGE sql VOLATILE SECURITY INVOKER ROWS 100
SET enable_sort = off SET enable_bitmapscan = off SET enable_seqscan = off AS $$
    SELECT j.id, CASE WHEN j.resumed_at IS NOT NULL THEN j.resume_state END
      FROM runner_jobs j
     WHERE j.workspace_id = p_workspace AND j.status = 'QUEUED' AND j.labels <@ p_labels
     ORDER BY j.priority DESC, j.run_after, j.id
     LIMIT p_limit
       FOR UPDATE SKIP LOCKED
$$;
REVOKE ALL ON FUNCTION runyard_claimable(uuid, text[], integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION runyard_claimable(uuid, text[], integer) TO runyard_app;
