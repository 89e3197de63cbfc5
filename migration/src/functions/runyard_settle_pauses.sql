-- Settles requested pauses: a task whose pause was requested and that has no RUNNING job
-- left becomes `paused`, with a task_manual_pause / task_auto_pause event. With both
-- arguments NULL it settles every such task it can see. SECURITY INVOKER: from the request
-- path it sees the entered workspace only.
CREATE OR REPLACE FUNCTION runyard_settle_pauses(p_workspace uuid, p_task uuid)
RETURNS TABLE (settled_workspace uuid, settled_task uuid)
LANGUAGE sql VOLATILE SECURITY INVOKER AS $$
    WITH t AS (
        UPDATE agent_tasks t
           SET status = 'paused', paused_at = now(), pause_requested_at = NULL,
               last_event_seq = t.last_event_seq + 1, updated_at = now()
         WHERE t.status = 'active' AND t.pause_requested_at IS NOT NULL
           AND (p_workspace IS NULL OR (t.workspace_id = p_workspace AND t.id = p_task))
           AND NOT EXISTS (SELECT 1 FROM runner_jobs j
                            WHERE j.workspace_id = t.workspace_id AND j.agent_task_id = t.id
                              AND j.status = 'RUNNING')
        RETURNING t.workspace_id, t.id, t.last_event_seq, t.pause_kind, t.pause_reason
    ), e AS (
        INSERT INTO task_events (workspace_id, task_id, seq, id, type, actor, payload)
        SELECT workspace_id, id, last_event_seq, gen_random_uuid(),
               'task_' || coalesce(pause_kind, 'manual') || '_pause',
               coalesce(nullif(current_setting('runyard.actor', true), ''), 'system'),
               jsonb_build_object('status', 'paused', 'reason', pause_reason, 'kind', pause_kind)
          FROM t
    )
    SELECT workspace_id, id FROM t
$$;
REVOKE ALL ON FUNCTION runyard_settle_pauses(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION runyard_settle_pauses(uuid, uuid) TO runyard_app;
