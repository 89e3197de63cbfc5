-- The reaper and the promoter no longer write job state in SQL: they select and lock
-- (runyard_expired_leases, runyard_due_jobs, in src/functions/) and the server applies
-- what it decided through its one transition statement. Their old bodies go.
DROP FUNCTION runyard_reap_expired(integer, double precision);
DROP FUNCTION runyard_promote_due(integer);
