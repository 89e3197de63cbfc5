-- The W3C trace context of the request that enqueued a job: given to the runner on claim
-- and the parent of the job's span, so the job joins its caller's trace.
ALTER TABLE runner_jobs ADD COLUMN traceparent text
    CONSTRAINT runner_jobs_traceparent_format
    CHECK (traceparent ~ '^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$');
