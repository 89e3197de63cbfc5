-- Secrets given on job create: handed only to the claiming runner, never selected by a
-- user-facing read (the job columns users see do not include it).
ALTER TABLE runner_jobs ADD COLUMN secrets jsonb;
