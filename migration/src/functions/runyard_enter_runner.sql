-- Enters the workspace of a runner token: checks the runner exists, is not revoked and
-- that the token's secret hashes to what was stored; then sets runyard.workspace_id and
-- runyard.actor for the rest of the transaction and returns the runner's labels and the
-- workspace's settings. last_seen_at is refreshed at most every few seconds, to keep hot
-- paths write-light.
CREATE OR REPLACE FUNCTION runyard_enter_runner(p_workspace uuid, p_runner uuid, p_token_hash text)
RETURNS TABLE (runner_labels text[], workspace_settings jsonb)
LANGUAGE plpgsql VOLATILE SECURITY INVOKER AS $$
DECLARE
    v_seen timestamptz;
BEGIN
    PERFORM set_config('runyard.workspace_id', p_workspace::text, true);
    PERFORM set_config('runyard.actor', 'runner:' || p_runner::text, true);
    SELECT r.labels, r.last_seen_at, w.settings INTO runner_labels, v_seen, workspace_settings
      FROM runners r
      JOIN workspaces w ON w.id = r.workspace_id
     WHERE r.workspace_id = p_workspace AND r.id = p_runner
       AND r.token_hash = p_token_hash AND r.revoked_at IS NULL;
    IF NOT FOUND THEN
        PERFORM set_config('runyard.workspace_id', '', true);
        RETURN;
    END IF;
    IF v_seen IS NULL OR v_seen < now() - interval '5 seconds' THEN
        UPDATE runners SET last_seen_at = now() WHERE workspace_id = p_workspace AND id = p_runner;
    END IF;
    RETURN NEXT;
END
$$;
REVOKE ALL ON FUNCTION runyard_enter_runner(uuid, uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION runyard_enter_runner(uuid, uuid, text) TO runyard_app;
