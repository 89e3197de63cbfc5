// Real parts for the browser test: the `runyard` binary serving on a free loopback port
// with a fresh data directory (its own embedded PostgreSQL), tokens minted by
// `runyard token`, reference runners (`runyard runner`) as child processes, and Debian's
// Chromium driven by playwright-core. Nothing is downloaded.

import { execFile, spawn } from "node:child_process";
import { constants } from "node:fs";
import { access, chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import { chromium } from "playwright-core";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const RESULTS_DIR = fileURLToPath(new URL("../test-results/", import.meta.url));
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const START_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 30_000;

export function serverBinary() {
  if (process.env.RUNYARD_BIN) return process.env.RUNYARD_BIN;
  const target = process.env.CARGO_TARGET_DIR ?? path.join(REPO_ROOT, "target");
  return path.resolve(REPO_ROOT, target, "debug", "runyard");
}

/** This process's environment less anything that would point the server elsewhere. */
function cleanEnv(extra) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === "RUNYARD_LOG" || !(key.startsWith("RUNYARD_") || key.includes("DATABASE_URL"))) env[key] = value;
  }
  env.NO_COLOR = "1";
  return { ...env, ...extra };
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns something truthy, or fails after `ms`. */
export async function eventually(what, check, ms = 30_000, every = 200) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    try {
      last = await check();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${last})`);
    await sleep(every);
  }
}

class Child {
  constructor(name, child) {
    this.name = name;
    this.child = child;
    this.tail = [];
    const remember = (line) => {
      this.tail.push(line);
      if (this.tail.length > 60) this.tail.shift();
    };
    createInterface({ input: child.stderr }).on("line", remember);
    this.lines = createInterface({ input: child.stdout });
    this.lines.on("line", remember);
    this.exitReason = undefined;
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.exitReason = signal ? `was killed by ${signal}` : `exited with ${code}`;
        resolve();
      });
      child.once("error", (e) => {
        this.exitReason = `could not be started: ${e.message}`;
        resolve();
      });
    });
  }

  /** SIGTERM, then SIGKILL if it has not exited within 30 s. */
  async stop() {
    if (this.exitReason !== undefined) return this.exitReason;
    this.child.kill("SIGTERM");
    const inTime = await Promise.race([
      this.exited.then(() => true),
      new Promise((resolve) => setTimeout(() => resolve(false), STOP_TIMEOUT_MS).unref()),
    ]);
    if (!inTime) {
      this.child.kill("SIGKILL");
      await this.exited;
    }
    return this.exitReason;
  }

  lastLines() {
    return this.tail.join("\n");
  }
}

export class Server {
  static async start(extraEnv = {}) {
    const binary = serverBinary();
    try {
      await access(binary, constants.X_OK);
    } catch {
      throw new Error(`no runyard binary at ${binary}: run \`cargo build -p runyard\` (or set RUNYARD_BIN)`);
    }
    const dataDir = await mkdtemp(path.join(tmpdir(), "runyard-console-test-"));
    // As root, the embedded PostgreSQL runs as `postgres`, which must be able to enter it.
    await chmod(dataDir, 0o755);
    const env = cleanEnv({ RUNYARD_DATA_DIR: dataDir, RUNYARD_LISTEN: "127.0.0.1:0", ...extraEnv });
    const server = new Server(binary, dataDir, env);
    server.process = new Child("server", spawn(binary, ["serve"], { env, stdio: ["ignore", "pipe", "pipe"] }));
    server.process.lines.on("line", (line) => {
      const found = /Runyard is listening on (http:\/\/\S+)/.exec(line);
      if (found) server.url = found[1];
    });
    try {
      await server.waitReady();
    } catch (e) {
      await server.stop();
      throw e;
    }
    return server;
  }

  constructor(binary, dataDir, env) {
    this.binary = binary;
    this.dataDir = dataDir;
    this.env = env;
    this.url = undefined;
    this.runners = [];
  }

  async waitReady() {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (this.process.exitReason) throw this.failure(`the server ${this.process.exitReason} before it was ready`);
      if (this.url) {
        const ok = await fetch(`${this.url}/readyz`).then((r) => r.status === 200, () => false);
        if (ok) return;
      }
      if (Date.now() > deadline) throw this.failure(`GET /readyz did not answer 200 in time`);
      await sleep(200);
    }
  }

  failure(why) {
    return new Error(`${why}; its last lines:\n${this.process.lastLines() || "(none)"}`);
  }

  /** A user token for `sub`, minted by `runyard token` with the server's data directory. */
  async token(sub) {
    const { stdout } = await promisify(execFile)(this.binary, ["token", "--sub", sub], { env: this.env });
    return stdout.trim();
  }

  /** An API call as `token`: the parsed JSON answer, or a thrown error naming the problem. */
  async call(token, method, route, body) {
    const response = await fetch(`${this.url}${route}`, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(body !== undefined && { "Content-Type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route} answered ${response.status}: ${text}`);
    return text ? JSON.parse(text) : undefined;
  }

  /** Starts a reference runner (`runyard runner`) with a runner token. */
  startRunner(runnerToken) {
    const child = new Child(
      "runner",
      spawn(this.binary, ["runner", "--url", this.url, "--token", runnerToken, "--concurrency", "4"], {
        env: cleanEnv({}),
        stdio: ["ignore", "pipe", "pipe"],
      }),
    );
    this.runners.push(child);
    return child;
  }

  async stop() {
    for (const runner of this.runners) await runner.stop();
    const how = this.process ? await this.process.stop() : "never started";
    await rm(this.dataDir, { recursive: true, force: true, maxRetries: 20, retryDelay: 250 });
    return how;
  }
}

/**
 * Debian's Chromium, headless, on a fresh profile directory (playwright-core takes it as
 * the persistent context's user data dir). Pages opened from `context` share cookies and
 * localStorage, but each has its own sessionStorage, where a token not "remembered" lives.
 */
export async function launchBrowser() {
  try {
    await access(CHROMIUM, constants.X_OK);
  } catch {
    throw new Error(`no Chromium at ${CHROMIUM}: install Debian's package (apt-get install chromium)`);
  }
  const profile = await mkdtemp(path.join(tmpdir(), "runyard-console-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 860 },
    acceptDownloads: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      await rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    },
  };
}
