-- Jobs still waiting for an approval past their approval_deadline, as (workspace, job),
-- oldest deadline first. Reads across workspaces as the schema owner; the caller decides
-- each one in its workspace, re-checking it under the job's row lock.
CREATE OR REPLACE FUNCTION runyard_overdue_approvals(p_limit integer)
RETURNS TABLE (overdue_workspace uuid, overdue_job uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT j.workspace_id, j.id
      FROM runner_jobs j
     WHERE j.approval_deadline IS NOT NULL AND j.approval_deadline <= now()
       AND j.status = 'PENDING' AND j.requires_approval
     ORDER BY j.approval_deadline
     LIMIT p_limit
$$;
REVOKE ALL ON FUNCTION runyard_overdue_approvals(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION runyard_overdue_approvals(integer) TO runyard_app;
