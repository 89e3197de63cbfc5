-- Active tasks idle for longer than their workspace's auto_pause_after_seconds: nothing
-- happened to the task, and no event or log line was written for any of its jobs, in that
-- long. Heartbeats alone are not activity.
CREATE OR REPLACE FUNCTION runyard_idle_tasks(p_limit integer)
RETURNS TABLE (idle_workspace uuid, idle_task uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT t.workspace_id, t.id
      FROM agent_tasks t
      JOIN workspaces w ON w.id = t.workspace_id
      CROSS JOIN LATERAL (
          SELECT now() - make_interval(secs => (w.settings ->> 'auto_pause_after_seconds')::float8) AS cutoff
      ) c
     WHERE t.status = 'active' AND t.pause_requested_at IS NULL
       AND jsonb_typeof(w.settings -> 'auto_pause_after_seconds') = 'number'
       AND t.last_activity_at < c.cutoff
       AND NOT EXISTS (
           SELECT 1 FROM runner_jobs j
            WHERE j.workspace_id = t.workspace_id AND j.agent_task_id = t.id
              AND (EXISTS (SELECT 1 FROM job_events e
                               WHERE e.workspace_id = j.workspace_id AND e.job_id = j.id
                                 AND e.seq = j.last_event_seq AND e.created_at >= c.cutoff)
                   OR EXISTS (SELECT 1 FROM (SELECT l.created_at FROM job_logs l
                                              WHERE l.workspace_id = j.workspace_id AND l.job_id = j.id
                                              ORDER BY l.seq DESC LIMIT 1) last_log
                               WHERE last_log.created_at >= c.cutoff)))
     ORDER BY t.last_activity_at
     LIMIT p_limit
$$;
REVOKE ALL ON FUNCTION runyard_idle_tasks(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION runyard_idle_tasks(integer) TO runyard_app;
