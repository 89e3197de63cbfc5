-- Long-polling runners wait with LISTEN runyard_commands; the payload is the job id.
-- Fired by the statement trigger job_commands_notify (created by a migration).
CREATE OR REPLACE FUNCTION runyard_notify_commands() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('runyard_commands', j::text)
       FROM (SELECT DISTINCT job_id AS j FROM new_commands) c;
    RETURN NULL;
END
$$;
