-- Enters a workspace for the rest of the transaction: records the caller, finds the
-- caller's membership of the workspace named by id or slug, and sets
-- runyard.workspace_id. No row when the caller is not a member (or it does not exist).
-- Returns the workspace's settings (quotas, auto-pause, retention), so the request path
-- learns them without another round trip.
-- SECURITY INVOKER: it sees only what the caller's own policies allow.
CREATE OR REPLACE FUNCTION runyard_enter_workspace(p_subject text, p_actor text, p_id uuid, p_slug text)
RETURNS TABLE (entered_id uuid, entered_role text, entered_settings jsonb)
LANGUAGE plpgsql VOLATILE SECURITY INVOKER AS $$
BEGIN
    PERFORM set_config('runyard.subject', p_subject, true);
    PERFORM set_config('runyard.actor', p_actor, true);
    SELECT m.workspace_id, m.role, w.settings INTO entered_id, entered_role, entered_settings
      FROM workspace_members m
      JOIN workspaces w ON w.id = m.workspace_id
     WHERE m.subject = p_subject
       AND ((p_id IS NOT NULL AND w.id = p_id) OR (p_id IS NULL AND w.slug = p_slug));
    IF entered_id IS NULL THEN
        RETURN;
    END IF;
    PERFORM set_config('runyard.workspace_id', entered_id::text, true);
    RETURN NEXT;
END
$$;
REVOKE ALL ON FUNCTION runyard_enter_workspace(text, text, uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION runyard_enter_workspace(text, text, uuid, text) TO runyard_app;
