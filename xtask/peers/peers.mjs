// The peers `cargo xtask bench --peers` measures beside Runyard: pg-boss and graphile-worker,
// in-process (no HTTP), against the same PostgreSQL server, with the same phases as the
// bench's own comparison table. Each invocation runs one phase of one peer in a fresh
// database and prints one JSON line with the figure; progress goes to stderr.
//
//   node peers.mjs <pg-boss|graphile-worker> <phase> <database-url> [scale]
//
// Phases (scale 1 = the full sizes; the bench's --quick passes 0.1):
//   single   20,000 single enqueues from 8 concurrent callers            → jobs/s
//   batch1   batches of 100 from 1 caller (20,000 jobs)                  → jobs/s
//   batch8   batches of 100 from 8 concurrent callers (80,000 jobs)      → jobs/s
//   process  50,000 queued no-op jobs worked off, each peer's fast preset → jobs/s
//   small    50,000 queued, 10 jobs per fetch × 16 concurrent fetchers  → jobs/s
//   pickup   one job every 20 ms (200 samples): enqueue returned → handler started → ms

import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import pg from "pg";

const [peer, phase, url, scaleArg] = process.argv.slice(2);
const scale = Number(scaleArg ?? "1");
if (!peer || !phase || !url || !(scale > 0)) {
  console.error("usage: node peers.mjs <pg-boss|graphile-worker> <phase> <database-url> [scale]");
  process.exit(2);
}
const n = (full) => Math.max(100, Math.round(full * scale));
const log = (...args) => console.error(`[${peer} ${phase}]`, ...args);
const payload = (i) => ({ cmd: "echo hello", env: { A: "1" }, n: i });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs `callers` loops that together perform `total` operations of `size` jobs. */
async function concurrently(callers, total, size, op) {
  let next = 0;
  const loops = Array.from({ length: callers }, async () => {
    for (;;) {
      const start = next;
      if (start >= total) return;
      next += size;
      await op(start, Math.min(size, total - start));
    }
  });
  await Promise.all(loops);
}

function quantile(sorted, q) {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

/** A fresh database per phase, so no phase inherits another's dead rows. */
async function freshDatabase() {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const name = `peer_${peer.replace(/-/g, "_")}_${phase}`;
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

// ------------------------------------------------------------------------------------------
// pg-boss: its documented fast path — `insert` for batches, `fetch` + `complete` by id
// arrays for processing (500 per fetch × 4 loops), LISTEN/NOTIFY for pickup.

async function pgBoss(db) {
  const { PgBoss } = await import("pg-boss");
  const settings = { max: 20, supervise: false, schedule: false, useListenNotify: phase === "pickup" };
  const boss = new PgBoss({ connectionString: db, ...settings });
  boss.on("error", (e) => log("error:", e.message));
  await boss.start();
  const q = "bench";
  await boss.createQueue(q, phase === "pickup" ? { notify: true } : {});
  const load = async (total) => {
    await concurrently(4, total, 1000, (start, size) =>
      boss.insert(q, Array.from({ length: size }, (_, k) => ({ data: payload(start + k) }))),
    );
  };
  const drain = async (total, batchSize, loops) => {
    let done = 0;
    await Promise.all(
      Array.from({ length: loops }, async () => {
        while (done < total) {
          const jobs = await boss.fetch(q, { batchSize });
          if (jobs.length === 0) {
            await sleep(5);
            continue;
          }
          await boss.complete(q, jobs.map((j) => j.id));
          done += jobs.length;
        }
      }),
    );
    return done;
  };
  try {
    switch (phase) {
      case "single": {
        const total = n(20_000);
        const t = performance.now();
        await concurrently(8, total, 1, (i) => boss.send(q, payload(i)));
        return { jobs: total, seconds: (performance.now() - t) / 1000, settings: "send(), 8 callers" };
      }
      case "batch1":
      case "batch8": {
        const callers = phase === "batch1" ? 1 : 8;
        const total = n(callers === 1 ? 20_000 : 80_000);
        const t = performance.now();
        await concurrently(callers, total, 100, (start, size) =>
          boss.insert(q, Array.from({ length: size }, (_, k) => ({ data: payload(start + k) }))),
        );
        return { jobs: total, seconds: (performance.now() - t) / 1000, settings: `insert() of 100, ${callers} caller(s)` };
      }
      case "process":
      case "small": {
        const total = n(50_000);
        await load(total);
        const [batchSize, loops] = phase === "process" ? [500, 4] : [10, 16];
        const t = performance.now();
        const done = await drain(total, batchSize, loops);
        return {
          jobs: done,
          seconds: (performance.now() - t) / 1000,
          settings: `fetch({batchSize: ${batchSize}}) + complete(ids) × ${loops} loops`,
        };
      }
      case "pickup":
        return await pickup(async (onJob) => {
          await boss.work(q, { batchSize: 1, pollingIntervalSeconds: 0.5 }, async ([job]) => onJob(job.data.n));
        }, (i) => boss.send(q, payload(i)), "work() with useListenNotify + queue notify, polling 0.5 s");
      default:
        throw new Error(`unknown phase ${phase}`);
    }
  } finally {
    await boss.stop({ graceful: false, wait: true, timeout: 2000 }).catch(() => {});
  }
}

// ------------------------------------------------------------------------------------------
// graphile-worker: `addJob`/`addJobs` through WorkerUtils; processing with the preset of its
// performance docs (24 concurrent jobs, pool 25, local queue of 500, no completion delay);
// small claims with a local queue of 10 and 16 concurrent jobs.

async function graphileWorker(db) {
  const { Logger, makeWorkerUtils, run, runMigrations } = await import("graphile-worker");
  const logger = new Logger(() => () => {});
  await runMigrations({ connectionString: db, logger });
  const utils = await makeWorkerUtils({ connectionString: db, logger });
  const spec = (i) => ({ identifier: "noop", payload: payload(i) });
  const worker = async (preset, onJob) =>
    run({
      logger,
      noHandleSignals: true,
      taskList: { noop: async (p) => onJob(p.n) },
      preset: { worker: { connectionString: db, ...preset } },
    });
  try {
    switch (phase) {
      case "single": {
        const total = n(20_000);
        const t = performance.now();
        await concurrently(8, total, 1, (i) => utils.addJob("noop", payload(i)));
        return { jobs: total, seconds: (performance.now() - t) / 1000, settings: "addJob(), 8 callers" };
      }
      case "batch1":
      case "batch8": {
        const callers = phase === "batch1" ? 1 : 8;
        const total = n(callers === 1 ? 20_000 : 80_000);
        const t = performance.now();
        await concurrently(callers, total, 100, (start, size) =>
          utils.addJobs(Array.from({ length: size }, (_, k) => spec(start + k))),
        );
        return { jobs: total, seconds: (performance.now() - t) / 1000, settings: `addJobs() of 100, ${callers} caller(s)` };
      }
      case "process":
      case "small": {
        const total = n(50_000);
        await concurrently(4, total, 1000, (start, size) =>
          utils.addJobs(Array.from({ length: size }, (_, k) => spec(start + k))),
        );
        const preset =
          phase === "process"
            ? { concurrentJobs: 24, maxPoolSize: 25, localQueue: { size: 500 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 }
            : { concurrentJobs: 16, maxPoolSize: 17, localQueue: { size: 10 } };
        let handled = 0;
        let allHandled;
        const finished = new Promise((r) => (allHandled = r));
        const t = performance.now();
        const runner = await worker(preset, () => {
          handled += 1;
          if (handled === total) allHandled();
        });
        await finished;
        // Stopping flushes the batched completions, so the time covers them.
        await runner.stop();
        return {
          jobs: handled,
          seconds: (performance.now() - t) / 1000,
          settings: Object.entries(preset)
            .map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : v}`)
            .join(", "),
        };
      }
      case "pickup": {
        let runner;
        const result = await pickup(
          async (onJob) => {
            runner = await worker({ concurrentJobs: 1 }, onJob);
          },
          (i) => utils.addJob("noop", payload(i)),
          "run() with defaults (LISTEN/NOTIFY), concurrentJobs=1",
        );
        await runner.stop();
        return result;
      }
      default:
        throw new Error(`unknown phase ${phase}`);
    }
  } finally {
    await utils.release();
  }
}

/** One job every 20 ms; latency from the enqueue call's return to the handler's start. */
async function pickup(startWorker, enqueue, settings) {
  const samples = Math.max(30, Math.round(200 * Math.min(1, scale * 5)));
  const returned = new Map();
  const started = new Map();
  await startWorker((i) => {
    started.set(i, performance.now());
  });
  await sleep(500);
  for (let i = 0; i < samples; i++) {
    await enqueue(i);
    returned.set(i, performance.now());
    await sleep(20);
  }
  const deadline = performance.now() + 10_000;
  while (started.size < samples && performance.now() < deadline) await sleep(10);
  const lat = [...returned.keys()]
    .filter((i) => started.has(i))
    .map((i) => Math.max(0, started.get(i) - returned.get(i)))
    .sort((a, b) => a - b);
  return {
    samples: lat.length,
    p50_ms: quantile(lat, 0.5),
    p99_ms: quantile(lat, 0.99),
    max_ms: lat[lat.length - 1] ?? null,
    settings,
  };
}

const db = await freshDatabase();
log("database ready");
const started = performance.now();
const result = peer === "pg-boss" ? await pgBoss(db) : peer === "graphile-worker" ? await graphileWorker(db) : null;
if (!result) {
  console.error(`unknown peer ${peer}`);
  process.exit(2);
}
if (result.jobs !== undefined) result.jobs_per_s = result.jobs / result.seconds;
log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
const version = JSON.parse(readFileSync(new URL(`node_modules/${peer}/package.json`, import.meta.url))).version;
console.log(JSON.stringify({ peer, phase, version, ...result }));
process.exit(0);
