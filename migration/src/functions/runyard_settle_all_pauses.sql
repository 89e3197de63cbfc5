-- The sweeper's settle over every workspace: catches tasks whose last running job was
-- reaped, or whose jobs handed back concurrently.
CREATE OR REPLACE FUNCTION runyard_settle_all_pauses()
RETURNS TABLE (settled_workspace uuid, settled_task uuid)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT * FROM runyard_settle_pauses(NULL, NULL)
$$;
REVOKE ALL ON FUNCTION runyard_settle_all_pauses() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION runyard_settle_all_pauses() TO runyard_app;
