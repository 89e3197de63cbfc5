-- When the next PENDING job falls due, or the next SUSPENDED job is to be polled or
-- times out, so the promoter can sleep until then.
CREATE OR REPLACE FUNCTION runyard_next_due() RETURNS timestamptz
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT least(
        (SELECT min(run_after) FROM runner_jobs WHERE status = 'PENDING' AND NOT requires_approval),
        (SELECT min(least(next_poll_at, max_wait_until)) FROM runner_jobs WHERE status = 'SUSPENDED'))
$$;
REVOKE ALL ON FUNCTION runyard_next_due() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION runyard_next_due() TO runyard_app;
