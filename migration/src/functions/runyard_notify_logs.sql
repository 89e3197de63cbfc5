-- Live log tails wait with LISTEN runyard_logs; the payload is the job id. Fired by the
-- statement trigger job_logs_notify (created by a migration).
CREATE OR REPLACE FUNCTION runyard_notify_logs() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('runyard_logs', j::text) FROM (SELECT DISTINCT job_id AS j FROM new_logs) l;
    RETURN NULL;
END
$$;
