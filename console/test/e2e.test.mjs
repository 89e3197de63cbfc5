// The console end to end, in headless Chromium against a real server, a real database and
// a reference runner: sign in, create a workspace, submit and follow jobs, cancel,
// approve, pause and resume a task, read its snapshot, page through a 100,000-line log,
// download an artifact, revoke a runner, and look at it all as a viewer and on a phone.
// Screenshots go to console/test-results/.

import assert from "node:assert/strict";
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";

import { eventually, launchBrowser, RESULTS_DIR, Server } from "./harness.mjs";

const WS = "acme-ci";
let server;
let browser;
let alice;
let page;
const pageErrors = [];

async function shot(p, name) {
  await p.screenshot({ path: path.join(RESULTS_DIR, `${name}.png`), fullPage: true });
}

/**
 * A page that records script errors. The browser also logs every 4xx answer as a console
 * error; those the test provokes (a bad token, a bad slug) are not the page's fault.
 */
async function newPage(width = 1280, height = 860) {
  const p = await browser.context.newPage();
  await p.setViewportSize({ width, height });
  p.on("pageerror", (e) => pageErrors.push(`pageerror: ${e.message}`));
  p.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource: the server responded with a status of 4")) pageErrors.push(`console: ${m.text()}`);
  });
  return p;
}

async function signIn(p, token) {
  await p.goto(server.url);
  await p.getByLabel("Token").fill(token);
  await p.getByRole("button", { name: "Sign in" }).click();
  await p.locator(".topbar").waitFor();
}

function jobStatus(p) {
  return p.locator(".page-head .badge").getAttribute("data-status");
}

async function waitStatus(p, status, timeout = 30_000) {
  await p.locator(`.page-head .badge[data-status="${status}"]`).waitFor({ timeout });
}

function jobIdOf(p) {
  const found = /#\/w\/[^/]+\/jobs\/([0-9a-f-]{36})/.exec(p.url());
  assert.ok(found, `not on a job page: ${p.url()}`);
  return found[1];
}

async function submitJob(p, script, { approval = false } = {}) {
  await p.goto(`${server.url}/#/w/${WS}/jobs`);
  await p.getByRole("button", { name: "New job" }).click();
  await p.getByLabel("Script").fill(script);
  if (approval) {
    await p.getByText("More options").click();
    await p.getByLabel("Requires approval").check();
  }
  await p.getByRole("button", { name: "Submit job" }).click();
  await p.waitForURL(/#\/w\/[^/]+\/jobs\/[0-9a-f-]{36}$/);
  return jobIdOf(p);
}

before(async () => {
  await mkdir(RESULTS_DIR, { recursive: true });
  // Short leases: runners heartbeat every 2 s, so cancels and pauses land quickly.
  server = await Server.start({ RUNYARD_LEASE_SECONDS: "6" });
  // The binary embeds console/dist when it is compiled: test what this checkout builds.
  for (const asset of ["index.html", "assets/app.js", "assets/app.css"]) {
    const served = Buffer.from(await (await fetch(`${server.url}/${asset === "index.html" ? "" : asset}`)).arrayBuffer());
    const built = await readFile(new URL(`../dist/${asset}`, import.meta.url));
    assert.ok(served.equals(built), `${server.binary} serves another ${asset} than console/dist: run \`cargo build -p runyard\``);
  }
  alice = await server.token("alice");
  browser = await launchBrowser();
  page = await newPage();
});

after(async () => {
  await browser?.close();
  const how = await server?.stop();
  if (how && how !== "exited with 0") console.error(`the server ${how}`);
});

test("a bad token shows the problem; a good one signs in", async () => {
  await page.goto(server.url);
  await page.getByLabel("Token").waitFor();
  await shot(page, "01-sign-in");
  await page.getByLabel("Token").fill("not-a-token");
  await page.getByRole("button", { name: "Sign in" }).click();
  const problem = page.getByRole("alert");
  await problem.waitFor();
  assert.match(await problem.innerText(), /Unauthorized[\s\S]*malformed/);
  await signIn(page, alice);
  assert.equal(await page.evaluate(() => sessionStorage.getItem("runyard.token")), alice);
  assert.equal(await page.evaluate(() => localStorage.getItem("runyard.token")), null);
});

test("a workspace is created from the empty state; an invalid slug names the field", async () => {
  await page.getByText("No workspaces yet").waitFor();
  await shot(page, "02-workspaces-empty");
  await page.getByLabel("Name").fill("Acme CI");
  assert.equal(await page.getByLabel("Slug").inputValue(), WS);
  await page.getByLabel("Slug").fill("Not A Slug!");
  await page.getByRole("button", { name: "Create workspace" }).click();
  const problem = page.getByRole("alert");
  await problem.waitFor();
  assert.match(await problem.innerText(), /slug/i);
  await page.getByLabel("Slug").fill(WS);
  await page.getByRole("button", { name: "Create workspace" }).click();
  // A workspace opens on its overview.
  await page.waitForURL(new RegExp(`#/w/${WS}$`));
  await page.getByRole("heading", { name: "Queue by status" }).waitFor();
  await page.getByRole("link", { name: "Jobs", exact: true }).click();
  await page.waitForURL(new RegExp(`#/w/${WS}/jobs$`));
  await page.getByText("No jobs yet").waitFor();
  assert.equal(await page.locator("#workspace-switcher").inputValue(), WS);
  await page.locator(".live-open").waitFor();
  await shot(page, "03-jobs-empty");
});

let runner;

test("a command job submitted in the console runs, and its log streams in live", async () => {
  const registered = await server.call(alice, "POST", `/v1/workspaces/${WS}/runners`, { name: "ci-runner", labels: [] });
  runner = registered.runner;
  server.startRunner(registered.token);

  const script = "echo hello-from-console; sleep 5; echo second-line; for i in $(seq 1 300); do echo row $i; done";
  await submitJob(page, script);
  const log = page.getByRole("log", { name: "Job log" });
  await log.getByText("hello-from-console").waitFor({ timeout: 30_000 });
  // The first line is on screen while the script still sleeps: it came over the stream.
  assert.equal(await log.getByText("second-line").count(), 0);
  // The status badge follows the job's own event stream, which may trail the log's by a
  // moment on a busy machine; it shows RUNNING well before the script wakes.
  await waitStatus(page, "RUNNING", 4_000);
  assert.equal(await log.getByText("second-line").count(), 0);
  await shot(page, "04-job-running");
  await waitStatus(page, "COMPLETED");
  // Following: the newest line is in view.
  await log.getByText("row 300", { exact: true }).waitFor();
  await page.locator(".log-count", { hasText: "302 lines" }).waitFor();
  await page.locator(".events li[data-type=job_completed]").waitFor();
  await page.locator(".timeline, .section:has(#steps-title)").first().waitFor();
  await shot(page, "05-job-completed");
});

test("the jobs table updates live, filters by status and pages by cursor", async () => {
  await page.goto(`${server.url}/#/w/${WS}/jobs`);
  await page.locator("tr[data-job-id]").first().waitFor();
  assert.equal(await page.locator("tr[data-job-id]").count(), 1);
  // Jobs no runner can take (label `nobody`), submitted behind the page's back.
  const made = [];
  for (let i = 0; i < 3; i++) {
    made.push(
      await server.call(alice, "POST", `/v1/workspaces/${WS}/runner-jobs`, {
        type: "report",
        payload: { n: i },
        labels: ["nobody"],
      }),
    );
  }
  for (const job of made) await page.locator(`tr[data-job-id="${job.id}"]`).waitFor({ timeout: 15_000 });
  await shot(page, "06-jobs");

  await page.getByLabel("Status").selectOption("QUEUED");
  await page.waitForURL(/status=QUEUED/);
  await eventually("only queued jobs", async () => (await page.locator("tr[data-job-id]").count()) === 3);
  for (const s of await page.locator("tr[data-job-id] .badge").evaluateAll((els) => els.map((e) => e.dataset.status)))
    assert.equal(s, "QUEUED");

  await page.getByLabel("Status").selectOption("");
  await page.waitForURL((url) => !url.hash.includes("status="));
  await page.getByLabel("Type").fill("report");
  await page.getByLabel("Type").press("Enter");
  await page.waitForURL(/type=report/);
  await eventually("report jobs only", async () => (await page.locator("tr[data-job-id]").count()) === 3);
  await page.getByRole("button", { name: "Clear filters" }).click();
  await eventually("all jobs", async () => (await page.locator("tr[data-job-id]").count()) === 4);

  // Keyset pages of 25: 26 more jobs make two pages.
  await server.call(alice, "POST", `/v1/workspaces/${WS}/runner-jobs/batch`, {
    jobs: Array.from({ length: 26 }, (_, i) => ({ type: "report", payload: { n: 100 + i }, labels: ["nobody"] })),
  });
  await eventually("a full first page", async () => (await page.locator("tr[data-job-id]").count()) === 25);
  const firstPage = await page.locator("tr[data-job-id]").evaluateAll((els) => els.map((e) => e.dataset.jobId));
  await page.getByRole("button", { name: "Older →" }).click();
  await page.waitForURL(/cursor=/);
  await eventually("the second page", async () => (await page.locator("tr[data-job-id]").count()) === 5);
  const secondPage = await page.locator("tr[data-job-id]").evaluateAll((els) => els.map((e) => e.dataset.jobId));
  assert.equal(secondPage.filter((id) => firstPage.includes(id)).length, 0, "pages overlap");
  assert.ok(await page.getByRole("button", { name: "Older →" }).isDisabled());
  await page.getByRole("button", { name: "← Newer" }).click();
  await eventually("back to the first page", async () => (await page.locator("tr[data-job-id]").count()) === 25);
});

test("a running job is cancelled from its page", async () => {
  await submitJob(page, "for i in $(seq 1 600); do echo tick $i; sleep 1; done");
  const log = page.getByRole("log", { name: "Job log" });
  await log.getByText("tick 2", { exact: true }).waitFor({ timeout: 30_000 });
  assert.equal(await jobStatus(page), "RUNNING");
  await page.getByRole("button", { name: "Cancel job" }).click();
  await waitStatus(page, "CANCELLED", 30_000);
  await page.locator(".events li[data-type=job_cancel_requested]").waitFor();
  await page.getByRole("button", { name: "Retry" }).waitFor();
  await shot(page, "07-job-cancelled");
});

test("a job held for approval runs once approved", async () => {
  const id = await submitJob(page, "echo approved-and-ran", { approval: true });
  await page.getByText("Awaiting approval").waitFor();
  assert.equal(await jobStatus(page), "PENDING");
  // The jobs list shows the jobs awaiting approval, and only those.
  await page.goto(`${server.url}/#/w/${WS}/jobs`);
  await page.getByLabel("Status").selectOption("awaiting");
  await page.waitForURL(/status=awaiting/);
  await eventually("only the job awaiting approval", async () => {
    const ids = await page.locator("tr[data-job-id]").evaluateAll((rows) => rows.map((r) => r.dataset.jobId));
    return ids.length === 1 && ids[0] === id;
  });
  await page.goto(`${server.url}/#/w/${WS}/jobs/${id}`);
  await page.getByRole("button", { name: "Approve" }).click();
  await waitStatus(page, "COMPLETED", 30_000);
  await page.getByRole("log", { name: "Job log" }).getByText("approved-and-ran").waitFor();
  const job = await server.call(alice, "GET", `/v1/workspaces/${WS}/runner-jobs/${id}`);
  assert.ok(job.events.some((e) => e.type === "job_approved"));
  assert.equal(job.approvals[0].decision, "approved");
  assert.equal(job.approvals[0].decided_by, "user:alice");
});

test("a job awaiting approval shows its approval deadline", async () => {
  const job = await server.call(alice, "POST", `/v1/workspaces/${WS}/runner-jobs`, {
    type: "deploy",
    requires_approval: true,
    approval_timeout_seconds: 3600,
  });
  assert.ok(job.approval_deadline, JSON.stringify(job));
  await page.goto(`${server.url}/#/w/${WS}/jobs?status=awaiting`);
  const row = page.locator(`tr[data-job-id="${job.id}"]`);
  await row.locator(".approval-deadline").getByText("Approval due in 59 min").waitFor();
  await page.goto(`${server.url}/#/w/${WS}/jobs/${job.id}`);
  await page.locator(".job-actions .approval-deadline").getByText("Rejected by the system in 59 min").waitFor();
  await server.call(alice, "POST", `/v1/workspaces/${WS}/runner-jobs/${job.id}/reject`, {});
});

test("model calls a job prints are its usage; the overview charts the queue and the spend", async () => {
  const call = (model, input, output, cost) =>
    `echo '::runyard::ai-call {"provider": "anthropic", "model": "${model}", "input_tokens": ${input}, "output_tokens": ${output}, "cost_usd": "${cost}", "latency_ms": 900}'`;
  const id = await submitJob(
    page,
    [call("claude-sonnet-4-5", 1200, 300, "0.008100"), call("claude-haiku-4-5", 800, 100, "0.002000"), "echo thinking done"].join("; "),
  );
  await waitStatus(page, "COMPLETED");
  const log = page.getByRole("log", { name: "Job log" });
  await log.getByText("thinking done").waitFor();
  assert.equal(await log.getByText("::runyard::").count(), 0, "directive lines were shipped as output");
  const usage = page.locator("section[aria-labelledby=job-usage-title]");
  await eventually("the usage of the recorded calls", async () => (await usage.locator("[data-field=ai_calls]").innerText()) === "2");
  assert.equal(await usage.locator("[data-field=cost_usd]").innerText(), "$0.010100");
  assert.equal(await usage.locator("[data-field=input_tokens]").innerText(), (2000).toLocaleString("en-US"));
  const calls = page.locator("table.ai-calls tbody tr");
  await eventually("two model calls listed", async () => (await calls.count()) === 2);
  assert.match(await calls.first().innerText(), /claude-sonnet-4-5[\s\S]*0\.008100/);
  await page.locator("section[aria-labelledby=ai-calls-title]").scrollIntoViewIfNeeded();
  await shot(page, "06b-job-usage");

  await page.getByRole("link", { name: "Overview" }).click();
  await page.waitForURL(new RegExp(`#/w/${WS}$`));
  const cost = page.locator('svg[aria-label="Cost per day by model"]');
  await cost.locator('rect[data-model="claude-sonnet-4-5"]').waitFor();
  await cost.locator('rect[data-model="claude-haiku-4-5"]').waitFor();
  await page.locator('svg[aria-label="Tokens per day by model"] rect[data-model="claude-sonnet-4-5"]').waitFor();
  // The queue: jobs no runner can take wait QUEUED; the bar is drawn and labelled.
  const queued = page.locator('svg[aria-label="Jobs by status"] g[data-status=QUEUED]');
  assert.ok(Number(await queued.locator("text.chart-value").textContent()) > 0);
  // Throughput: 60 minutes, and this job among the completed.
  const minutes = page.locator('svg[aria-label="Completed and failed jobs per minute over the last hour"] g[data-minute]');
  assert.equal(await minutes.count(), 60);
  assert.ok((await minutes.locator('rect[fill="#2e9e6a"]').count()) > 0);
  assert.match(await page.locator(".tiles").innerText(), /\$0\.01/);
  await shot(page, "06c-overview");
  await page.goto(`${server.url}/#/w/${WS}/jobs/${id}`);
  await waitStatus(page, "COMPLETED");
});

test("an agent task is paused into a snapshot, viewed, and resumed", async () => {
  await page.goto(`${server.url}/#/w/${WS}/tasks`);
  await page.getByText("No tasks yet").waitFor();
  await page.getByLabel("New task").fill("Refactor the parser");
  await page.getByRole("button", { name: "Create task" }).click();
  await page.waitForURL(/#\/w\/[^/]+\/tasks\/[0-9a-f-]{36}$/);
  const taskId = /tasks\/([0-9a-f-]{36})$/.exec(page.url())[1];
  await page.getByText("No snapshot yet").waitFor();

  await page.getByRole("button", { name: "Run a job in this task" }).click();
  await page.getByLabel("Script").fill("echo task-start; for i in 1 2 3 4 5; do echo step $i; done; sleep 600");
  await page.getByRole("button", { name: "Submit job" }).click();
  const jobRow = page.locator(".task-jobs li[data-job-id]");
  await jobRow.locator('.badge[data-status="RUNNING"]').waitFor({ timeout: 30_000 });
  const jobId = await jobRow.getAttribute("data-job-id");
  // Every line printed before the pause is with the server, so the snapshot holds it.
  await eventually("the task job's output", async () => {
    const logs = await server.call(alice, "GET", `/v1/workspaces/${WS}/runner-jobs/${jobId}/logs`);
    return logs.items.length >= 6;
  });

  await page.getByLabel("Reason for pausing").fill("waiting for review");
  await page.getByRole("button", { name: "Pause task" }).click();
  await page.locator('.page-head .badge[data-status="paused"]').waitFor({ timeout: 30_000 });
  const snapshot = page.getByTestId("snapshot");
  await snapshot.getByRole("log", { name: "Snapshot transcript" }).getByText("step 5").waitFor();
  assert.match(await snapshot.innerText(), /waiting for review/);
  assert.match(await snapshot.innerText(), /task-start/);
  await jobRow.locator('.badge[data-status="PAUSED"]').waitFor();
  await page.locator(".events li[data-type=task_manual_pause]").waitFor();
  await shot(page, "08-task-paused-snapshot");

  await page.getByRole("button", { name: "Resume task" }).click();
  await page.locator('.page-head .badge[data-status="active"]').waitFor({ timeout: 15_000 });
  await page.locator(".events li[data-type=task_resume]").waitFor();
  // The runner claims the job again, with the snapshot to resume from.
  await jobRow.locator('.badge[data-status="RUNNING"]').waitFor({ timeout: 30_000 });
  const task = await server.call(alice, "GET", `/v1/workspaces/${WS}/agent-tasks/${taskId}`);
  assert.equal(task.task.status, "active");

  await page.getByRole("button", { name: "Cancel task" }).click();
  await page.locator('.page-head .badge[data-status="cancelled"]').waitFor({ timeout: 30_000 });
});

test("a 100,000-line log pages in without freezing the page; an artifact downloads", async () => {
  // A protocol-speaking runner of the test's own writes the lines fast (5,000 per call).
  const writer = await server.call(alice, "POST", `/v1/workspaces/${WS}/runners`, { name: "bulk-writer", labels: ["bulk"] });
  const job = await server.call(alice, "POST", `/v1/workspaces/${WS}/runner-jobs`, {
    type: "command",
    payload: { script: "seq 1 100000" },
    labels: ["bulk"],
  });
  const claimed = await server.call(writer.token, "POST", "/v1/runner/claim", { max_jobs: 1 });
  assert.equal(claimed.jobs[0].id, job.id);
  const attempt = claimed.jobs[0].attempt;
  const TOTAL = 100_000;
  for (let start = 1; start <= TOTAL; start += 5000) {
    const entries = Array.from({ length: 5000 }, (_, i) => ({
      seq: start + i,
      stream: (start + i) % 1000 === 0 ? "stderr" : "stdout",
      body: `line ${start + i} ${"·".repeat((start + i) % 40)}`,
    }));
    await server.call(writer.token, "POST", `/v1/runner/jobs/${job.id}/logs`, { attempt, entries });
    // Like any runner, keep the (short) lease while writing.
    await server.call(writer.token, "POST", `/v1/runner/jobs/${job.id}/heartbeat`, { attempt });
  }
  const report = "lines,100000\n";
  const put = await fetch(`${server.url}/v1/runner/jobs/${job.id}/artifacts/report.csv?attempt=${attempt}`, {
    method: "PUT",
    headers: { Authorization: `Bearer ${writer.token}`, "Content-Type": "text/csv" },
    body: report,
  });
  assert.ok(put.ok, `artifact upload answered ${put.status}`);
  await server.call(writer.token, "POST", `/v1/runner/jobs/${job.id}/complete`, { attempt, result: { lines: TOTAL } });

  await page.goto(`${server.url}/#/w/${WS}/jobs/${job.id}`);
  await waitStatus(page, "COMPLETED");
  const log = page.getByRole("log", { name: "Job log" });
  await log.getByText("line 1 ·", { exact: true }).waitFor();
  // A finished job's log loads a page at a time, and only rows in sight are in the DOM.
  assert.ok(Number(await log.getAttribute("data-lines")) < TOTAL);
  // Measure the main thread's worst stall while every page loads and the view follows.
  await page.evaluate(() => {
    const w = window;
    w.__stall = 0;
    let last = performance.now();
    w.__probe = setInterval(() => {
      const now = performance.now();
      w.__stall = Math.max(w.__stall, now - last - 50);
      last = now;
    }, 50);
  });
  await page.getByRole("button", { name: "Follow" }).click();
  await eventually("all 100,000 lines", async () => Number(await log.getAttribute("data-lines")) === TOTAL, 120_000);
  await log.getByText(`line ${TOTAL} `).waitFor();
  const rows = await log.locator(".line").count();
  assert.ok(rows > 10 && rows < 250, `${rows} rows in the DOM`);
  const stall = await page.evaluate(() => {
    clearInterval(window.__probe);
    return window.__stall;
  });
  assert.ok(stall < 1500, `the page stalled for ${Math.round(stall)} ms`);
  // Scrolling to the top is instant too.
  const took = await log.evaluate(async (el) => {
    const t0 = performance.now();
    el.scrollTop = 0;
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return performance.now() - t0;
  });
  assert.ok(took < 1000, `scrolling took ${took} ms`);
  await log.getByText("line 1 ·", { exact: true }).waitFor();
  await log.evaluate((el) => {
    el.scrollTop = el.scrollHeight;
  });
  await log.getByText(`line ${TOTAL} `).waitFor();
  await shot(page, "09-big-log");

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download report.csv" }).click(),
  ]);
  assert.equal(download.suggestedFilename(), "report.csv");
  assert.equal(await readFile(await download.path(), "utf8"), report);
});

test("a suspended job shows when it is polled and is woken from its page", async () => {
  const waiter = await server.call(alice, "POST", `/v1/workspaces/${WS}/runners`, { name: "waiter", labels: ["waits"] });
  const job = await server.call(alice, "POST", `/v1/workspaces/${WS}/runner-jobs`, {
    type: "agent",
    labels: ["waits"],
  });
  const [claimed] = (await server.call(waiter.token, "POST", "/v1/runner/claim", { max_jobs: 1 })).jobs;
  assert.equal(claimed.id, job.id);
  await server.call(waiter.token, "POST", `/v1/runner/jobs/${job.id}/suspend`, {
    attempt: claimed.attempt,
    poll_after_seconds: 3600,
    state: { waiting_for: "batch-7" },
  });
  await page.goto(`${server.url}/#/w/${WS}/jobs/${job.id}`);
  await waitStatus(page, "SUSPENDED", 30_000);
  await page.getByText("Suspended until").waitFor();
  await shot(page, "11-job-suspended");
  await page.getByRole("button", { name: "Wake now" }).click();
  await waitStatus(page, "QUEUED", 30_000);
  await page.locator(".events li[data-type=job_woken]").waitFor();
  assert.equal(await page.getByRole("button", { name: "Wake now" }).count(), 0);
  // The next claim gets the state back; cancelling it with a reason shows why it ended.
  const [again] = (await server.call(waiter.token, "POST", "/v1/runner/claim", { max_jobs: 1 })).jobs;
  assert.deepEqual(again.suspended_state, { waiting_for: "batch-7" });
  await server.call(alice, "POST", `/v1/workspaces/${WS}/runner-jobs/${job.id}/cancel`, { reason: "not needed" });
  await server.call(waiter.token, "POST", `/v1/runner/jobs/${job.id}/fail`, { attempt: again.attempt, error: "stopped" });
  await page.reload();
  await waitStatus(page, "CANCELLED", 30_000);
  await page.locator("[data-failure-kind=cancelled]").getByText("not needed", { exact: false }).waitFor();
});

test("a viewer sees jobs but no actions", async () => {
  await server.call(alice, "POST", `/v1/workspaces/${WS}/members`, { subject: "bob", role: "viewer" });
  const bob = await newPage();
  await signIn(bob, await server.token("bob"));
  await bob.goto(`${server.url}/#/w/${WS}/jobs`);
  await bob.locator("tr[data-job-id]").first().waitFor();
  assert.equal(await bob.getByRole("button", { name: "New job" }).count(), 0);
  const running = await server.call(alice, "GET", `/v1/workspaces/${WS}/runner-jobs?status=QUEUED&limit=1`);
  await bob.goto(`${server.url}/#/w/${WS}/jobs/${running.items[0].id}`);
  await bob.getByText("You are a viewer here").waitFor();
  assert.equal(await bob.getByRole("button", { name: "Cancel job" }).count(), 0);
  assert.equal(await bob.locator(".who .role").textContent(), "viewer");
  await shot(bob, "10-viewer-job");
  await bob.goto(`${server.url}/#/w/${WS}/runners`);
  await bob.getByText("Runners are for admins").waitFor();
  await bob.close();
});

test("no secret reaches a job's page: redacted payload keys, masked log lines", async () => {
  const job = await server.call(alice, "POST", `/v1/workspaces/${WS}/runner-jobs`, {
    type: "command",
    payload: { script: 'echo "key=$API_KEY token=$DEPLOY_TOKEN"', env: { API_KEY: "sk-console-payload" } },
    secrets: { DEPLOY_TOKEN: "tok-console-secret" },
  });
  await page.goto(`${server.url}/#/w/${WS}/jobs/${job.id}`);
  await waitStatus(page, "COMPLETED");
  const log = page.getByRole("log", { name: "Job log" });
  await log.getByText("key=*** token=***").waitFor({ timeout: 30_000 });
  const html = await page.content();
  for (const secret of ["sk-console-payload", "tok-console-secret"]) {
    assert.ok(!html.includes(secret), `the job page shows ${secret}`);
  }
  await shot(page, "05b-job-secrets");
});

test("log levels are coloured and the log filters to a minimum level", async () => {
  const writer = await server.call(alice, "POST", `/v1/workspaces/${WS}/runners`, { name: "level-writer", labels: ["levels"] });
  const job = await server.call(alice, "POST", `/v1/workspaces/${WS}/runner-jobs`, { type: "report", labels: ["levels"] });
  const claimed = await server.call(writer.token, "POST", "/v1/runner/claim", { max_jobs: 1 });
  const attempt = claimed.jobs[0].attempt;
  const entries = [
    { seq: 1, stream: "stdout", body: "just output" },
    { seq: 2, stream: "stdout", body: "noise here", level: "debug" },
    { seq: 3, stream: "stderr", body: "disk almost full", level: "warn" },
    { seq: 4, stream: "stderr", body: "upload failed", level: "error" },
  ];
  await server.call(writer.token, "POST", `/v1/runner/jobs/${job.id}/logs`, { attempt, entries });
  await server.call(writer.token, "POST", `/v1/runner/jobs/${job.id}/complete`, { attempt });
  await page.goto(`${server.url}/#/w/${WS}/jobs/${job.id}`);
  await waitStatus(page, "COMPLETED");
  const log = page.getByRole("log", { name: "Job log" });
  await log.getByText("upload failed").waitFor();
  const colour = (level) => log.locator(`.line[data-level=${level}] .lb`).evaluate((el) => getComputedStyle(el).color);
  const plain = await log.locator(".line:not([data-level]) .lb").first().evaluate((el) => getComputedStyle(el).color);
  assert.notEqual(await colour("error"), plain);
  assert.notEqual(await colour("warn"), plain);
  assert.notEqual(await colour("warn"), await colour("error"));
  await page.getByLabel("Minimum log level").selectOption("warn");
  await eventually("only warnings and errors", async () => (await log.locator(".line").count()) === 2);
  assert.equal(await log.getByText("noise here").count(), 0);
  assert.equal(await log.getByText("just output").count(), 0);
  await page.getByLabel("Minimum log level").selectOption("");
  await eventually("every line again", async () => (await log.locator(".line").count()) === 4);
  await shot(page, "05c-log-levels");
});

test("an admin revokes a runner", async () => {
  await page.goto(`${server.url}/#/w/${WS}/runners`);
  const row = page.locator(`tr[data-runner-id="${runner.id}"]`);
  await row.locator('.badge[data-status="online"]').waitFor({ timeout: 15_000 });
  await shot(page, "11-runners");
  await row.getByRole("button", { name: "Revoke ci-runner" }).click();
  await row.getByRole("button", { name: "Yes, revoke" }).click();
  await row.locator('.badge[data-status="revoked"]').waitFor();
  const list = await server.call(alice, "GET", `/v1/workspaces/${WS}/runners`);
  assert.ok(list.items.find((r) => r.id === runner.id).revoked_at);
  await shot(page, "12-runner-revoked");
});

test("phone width: no sideways scrolling, everything reachable", async () => {
  const phone = await newPage(390, 844);
  await signIn(phone, alice);
  await phone.goto(`${server.url}/#/w/${WS}/jobs`);
  await phone.locator("tr[data-job-id]").first().waitFor();
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the jobs page is ${overflow}px wider than the screen`);
  await shot(phone, "phone-jobs");
  await phone.locator("tr[data-job-id] a").first().click();
  await phone.getByRole("log", { name: "Job log" }).waitFor();
  const overflowJob = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflowJob <= 0, `the job page is ${overflowJob}px wider than the screen`);
  await shot(phone, "phone-job");
  await phone.emulateMedia({ colorScheme: "dark" });
  await shot(phone, "phone-job-dark");
  await phone.close();
});

test("keyboard: a skip link first, visible focus, and sign out", async () => {
  await page.goto(`${server.url}/#/w/${WS}/jobs`);
  await page.reload();
  await page.locator("tr[data-job-id]").first().waitFor();
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), "Skip to content");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, "none");
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByLabel("Token").waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem("runyard.token")), null);
  assert.deepEqual(pageErrors, []);
});
