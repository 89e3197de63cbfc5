// End to end through the typed client only: a user creates a workspace, registers a runner
// and submits a job; the runner claims it, reports logs and completes it; the user reads the
// job, its events and its logs back. Problem answers surface as `RunyardProblem`.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import {
  createRunyardClient,
  RunyardProblem,
  type RunyardClient,
  type Schemas,
  unwrap,
} from "@runyard/client";

import { Server } from "./server.js";

/** Asserts that `call` fails with a problem of this status and code; returns it. */
async function expectProblem(
  call: Promise<unknown>,
  status: number,
  code: string,
): Promise<RunyardProblem> {
  try {
    await call;
  } catch (e) {
    assert.ok(e instanceof RunyardProblem, `expected a RunyardProblem, got ${String(e)}`);
    assert.equal(e.status, status, `status of ${e.message}`);
    assert.equal(e.code, code, `code of ${e.message}`);
    assert.equal(e.type, `urn:runyard:problem:${code}`);
    assert.ok(e.title.length > 0, "a problem has a title");
    assert.ok(e.detail.length > 0, "a problem has a detail");
    return e;
  }
  assert.fail(`expected ${status} ${code}, but the call succeeded`);
}

describe("the typed client against a real server", () => {
  let server: Server;
  let alice: RunyardClient;
  let bob: RunyardClient;

  before(async () => {
    server = await Server.start();
    alice = createRunyardClient({ baseUrl: server.baseUrl, token: await server.token("alice") });
    bob = createRunyardClient({ baseUrl: server.baseUrl, token: await server.token("bob") });
  });

  after(async () => {
    if (server) {
      const how = await server.stop();
      assert.match(how, /exited with 0/, `the server should stop cleanly on SIGTERM:\n${server.lastLines()}`);
    }
  });

  let ws: Schemas["Workspace"];
  let runnerToken: string;
  let runnerId: string;
  let job: Schemas["Job"];
  let claimed: Schemas["ClaimedJob"];

  it("creates a workspace; a taken slug is a 409 slug_taken problem", async () => {
    ws = await unwrap(alice.POST("/v1/workspaces", { body: { name: "Client test", slug: "client-test" } }));
    assert.equal(ws.slug, "client-test");
    assert.equal(ws.name, "Client test");
    assert.equal(ws.role, "owner");

    const dup = await expectProblem(
      unwrap(alice.POST("/v1/workspaces", { body: { name: "Again", slug: "client-test" } })),
      409,
      "slug_taken",
    );
    assert.equal(dup.name, "RunyardProblem");
  });

  it("keeps workspaces apart: another user gets 404 not_found", async () => {
    await expectProblem(
      unwrap(bob.GET("/v1/workspaces/{ws}", { params: { path: { ws: ws.slug } } })),
      404,
      "not_found",
    );
  });

  it("registers a runner, whose token is shown once", async () => {
    const registered = await unwrap(
      alice.POST("/v1/workspaces/{ws}/runners", {
        params: { path: { ws: ws.slug } },
        body: { name: "node-test", labels: ["node"] },
      }),
    );
    assert.match(registered.token, /^ryr_/);
    assert.deepEqual(registered.runner.labels, ["node"]);
    runnerToken = registered.token;
    runnerId = registered.runner.id;

    const listed = await unwrap(alice.GET("/v1/workspaces/{ws}/runners", { params: { path: { ws: ws.slug } } }));
    assert.deepEqual(
      listed.items.map((r) => r.name),
      ["node-test"],
    );
  });

  it("submits a job; the same Idempotency-Key returns it again with 200", async () => {
    const submit = () =>
      alice.POST("/v1/workspaces/{ws}/runner-jobs", {
        params: { path: { ws: ws.slug }, header: { "Idempotency-Key": "client-test-1" } },
        body: {
          type: "command",
          payload: { script: "echo hello", env: { API_KEY: "sk-ts-payload" } },
          secrets: { DEPLOY_TOKEN: "tok-ts-secret" },
          labels: ["node"],
          priority: 5,
        },
      });
    const first = await submit();
    assert.equal(first.response.status, 201);
    job = await unwrap(first);
    assert.equal(job.status, "QUEUED");
    assert.equal(job.type, "command");
    // Secret-looking keys read as "[redacted]"; the secrets are not there at all.
    assert.deepEqual(job.payload, { script: "echo hello", env: { API_KEY: "[redacted]" } });
    assert.ok(!JSON.stringify(job).includes("tok-ts-secret"));
    assert.equal(job.priority, 5);
    assert.equal(job.created_by, "user:alice");

    const again = await submit();
    assert.equal(again.response.status, 200);
    assert.equal((await unwrap(again)).id, job.id);
  });

  it("rejects a bad field with 422 validation_failed naming it", async () => {
    const problem = await expectProblem(
      unwrap(
        alice.POST("/v1/workspaces/{ws}/runner-jobs", {
          params: { path: { ws: ws.slug } },
          body: { type: "command", priority: 1000 },
        }),
      ),
      422,
      "validation_failed",
    );
    assert.equal(problem.field, "priority");
  });

  it("lets the runner claim the job with its token", async () => {
    const runner = createRunyardClient({ baseUrl: server.baseUrl, token: runnerToken });
    const claim = await unwrap(runner.POST("/v1/runner/claim", { body: { max_jobs: 5, wait_seconds: 5 } }));
    assert.equal(claim.jobs.length, 1, "exactly the one queued job");
    claimed = claim.jobs[0]!;
    assert.equal(claimed.id, job.id);
    assert.equal(claimed.attempt, 1);
    // The runner, and only the runner, gets the real values.
    assert.deepEqual(claimed.payload, { script: "echo hello", env: { API_KEY: "sk-ts-payload" } });
    assert.deepEqual(claimed.secrets, { DEPLOY_TOKEN: "tok-ts-secret" });

    const running = await unwrap(
      alice.GET("/v1/workspaces/{ws}/runner-jobs/{id}", { params: { path: { ws: ws.slug, id: job.id } } }),
    );
    assert.equal(running.status, "RUNNING");
  });

  it("accepts a log batch once, then completes the job", async () => {
    const runner = createRunyardClient({ baseUrl: server.baseUrl, token: runnerToken });
    const batch: Schemas["LogBatch"] = {
      attempt: claimed.attempt,
      entries: [
        { seq: 1, stream: "stdout", body: "hello" },
        { seq: 2, stream: "stderr", body: "a warning" },
        { seq: 3, stream: "stdout", body: "goodbye" },
      ],
    };
    const logs = { params: { path: { id: claimed.id } }, body: batch };
    assert.deepEqual(await unwrap(runner.POST("/v1/runner/jobs/{id}/logs", logs)), { accepted: 3, duplicates: 0 });
    assert.deepEqual(await unwrap(runner.POST("/v1/runner/jobs/{id}/logs", logs)), { accepted: 0, duplicates: 3 });

    // Model calls: recorded once; money travels as a decimal string.
    const calls: Schemas["AiCallBatch"] = {
      attempt: claimed.attempt,
      calls: [
        {
          id: "0193e0a0-0000-7000-8000-000000000001",
          provider: "anthropic",
          model: "claude-sonnet-4-5",
          input_tokens: 1000,
          output_tokens: 200,
          cost_usd: "0.004250",
          latency_ms: 800,
          status: "ok",
          started_at: new Date().toISOString(),
        },
      ],
    };
    const record = { params: { path: { id: claimed.id } }, body: calls };
    assert.deepEqual(await unwrap(runner.POST("/v1/runner/jobs/{id}/ai-calls", record)), { accepted: 1, duplicates: 0 });
    assert.deepEqual(await unwrap(runner.POST("/v1/runner/jobs/{id}/ai-calls", record)), { accepted: 0, duplicates: 1 });

    const done = await unwrap(
      runner.POST("/v1/runner/jobs/{id}/complete", {
        params: { path: { id: claimed.id } },
        body: { attempt: claimed.attempt, result: { exit_code: 0 } },
      }),
    );
    assert.equal(done.status, "COMPLETED");

    // The lease ended with the job: a heartbeat for it is refused.
    await expectProblem(
      unwrap(
        runner.POST("/v1/runner/jobs/{id}/heartbeat", {
          params: { path: { id: claimed.id } },
          body: { attempt: claimed.attempt },
        }),
      ),
      409,
      "lease_lost",
    );
  });

  it("reads the job, its events in order and its logs back", async () => {
    const path = { ws: ws.slug, id: job.id };
    const detail = await unwrap(alice.GET("/v1/workspaces/{ws}/runner-jobs/{id}", { params: { path } }));
    assert.equal(detail.status, "COMPLETED");
    assert.deepEqual(detail.result, { exit_code: 0 });
    assert.equal(detail.attempt, 1);
    assert.ok(detail.finished_at, "a finished job has finished_at");
    const list = await unwrap(alice.GET("/v1/workspaces/{ws}/runner-jobs", { params: { path: { ws: ws.slug } } }));
    const feed = await unwrap(alice.GET("/v1/workspaces/{ws}/events", { params: { path: { ws: ws.slug } } }));
    for (const [what, read] of Object.entries({ detail, list, feed })) {
      const text = JSON.stringify(read);
      assert.ok(!text.includes("sk-ts-payload") && !text.includes("tok-ts-secret"), `${what} shows a secret: ${text}`);
    }

    const events = await unwrap(alice.GET("/v1/workspaces/{ws}/runner-jobs/{id}/events", { params: { path } }));
    assert.deepEqual(
      events.items.map((e) => [e.seq, e.type]),
      [
        [1, "job_created"],
        [2, "job_claimed"],
        [3, "job_completed"],
      ],
    );
    assert.equal(events.items[0]!.actor, "user:alice");
    assert.equal(events.items[1]!.actor, `runner:${runnerId}`);
    assert.ok(events.items.every((e) => e.job_id === job.id));

    // Paging: after_seq skips what was read.
    const later = await unwrap(
      alice.GET("/v1/workspaces/{ws}/runner-jobs/{id}/events", { params: { path, query: { after_seq: 2 } } }),
    );
    assert.deepEqual(
      later.items.map((e) => e.type),
      ["job_completed"],
    );

    // Usage: the job's roll-up, its calls, and the workspace's by model.
    assert.deepEqual(detail.usage, { ai_calls: 1, input_tokens: 1000, output_tokens: 200, cost_usd: "0.004250" });
    const calls = await unwrap(alice.GET("/v1/workspaces/{ws}/runner-jobs/{id}/ai-calls", { params: { path } }));
    assert.deepEqual(
      calls.items.map((c) => [c.model, c.cost_usd, c.attempt]),
      [["claude-sonnet-4-5", "0.004250", 1]],
    );
    const usage = await unwrap(
      alice.GET("/v1/workspaces/{ws}/usage", { params: { path: { ws: ws.slug }, query: { group_by: "model" } } }),
    );
    assert.equal(usage.group_by, "model");
    assert.deepEqual(
      usage.items.map((i) => [i.group, i.ai_calls, i.cost_usd]),
      [["claude-sonnet-4-5", 1, "0.004250"]],
    );
    const stats = await unwrap(alice.GET("/v1/workspaces/{ws}/stats", { params: { path: { ws: ws.slug } } }));
    assert.equal(stats.counts.find((c) => c.status === "COMPLETED")?.count, 1);

    const logs = await unwrap(alice.GET("/v1/workspaces/{ws}/runner-jobs/{id}/logs", { params: { path } }));
    assert.deepEqual(
      logs.items.map((l) => [l.seq, l.attempt, l.stream, l.body]),
      [
        [1, 1, "stdout", "hello"],
        [2, 1, "stderr", "a warning"],
        [3, 1, "stdout", "goodbye"],
      ],
    );
  });
  it("sends a command, suspends the job and wakes it", async () => {
    const runner = createRunyardClient({ baseUrl: server.baseUrl, token: runnerToken });
    const path = { ws: ws.slug };
    const second = await unwrap(
      alice.POST("/v1/workspaces/{ws}/runner-jobs", { params: { path }, body: { type: "agent", labels: ["node"] } }),
    );
    const [mine] = (await unwrap(runner.POST("/v1/runner/claim", { body: { max_jobs: 1 } }))).jobs;
    assert.equal(mine!.id, second.id);
    const jobPath = { ws: ws.slug, id: second.id };
    const sent = await unwrap(
      alice.POST("/v1/workspaces/{ws}/runner-jobs/{id}/commands", {
        params: { path: jobPath },
        body: { type: "user_turn", payload: { text: "hi" } },
      }),
    );
    assert.equal(sent.seq, 1);
    const beat = await unwrap(
      runner.POST("/v1/runner/jobs/{id}/heartbeat", { params: { path: { id: second.id } }, body: { attempt: 1 } }),
    );
    assert.deepEqual(
      beat.commands.map((c) => [c.seq, c.type]),
      [[1, "user_turn"]],
    );
    const acked = await unwrap(
      runner.POST("/v1/runner/jobs/{id}/commands/{seq}/ack", {
        params: { path: { id: second.id, seq: 1 } },
        body: { attempt: 1 },
      }),
    );
    assert.equal(acked.status, "acked");
    const suspended = await unwrap(
      runner.POST("/v1/runner/jobs/{id}/suspend", {
        params: { path: { id: second.id } },
        body: { attempt: 1, poll_after_seconds: 3600, state: { step: 1 } },
      }),
    );
    assert.equal(suspended.status, "SUSPENDED");
    const woken = await unwrap(alice.POST("/v1/workspaces/{ws}/runner-jobs/{id}/wake", { params: { path: jobPath } }));
    assert.equal(woken.status, "QUEUED");
    const [back] = (await unwrap(runner.POST("/v1/runner/claim", { body: { max_jobs: 1 } }))).jobs;
    assert.equal(back!.attempt, 2);
    assert.deepEqual(back!.suspended_state, { step: 1 });
  });
});
