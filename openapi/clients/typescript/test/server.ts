// A real `runyard` server for the tests: the binary from RUNYARD_BIN (default
// <repo>/target/debug/runyard) on a loopback port the OS picks, with a fresh data directory
// and so its own embedded PostgreSQL; stopped with SIGTERM and its directory removed.

import { type ChildProcess, execFile, spawn } from "node:child_process";
import { constants } from "node:fs";
import { access, chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import { createRunyardClient } from "@runyard/client";

const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const START_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 30_000;

/** The server binary the tests run. */
export function serverBinary(): string {
  if (process.env["RUNYARD_BIN"]) return process.env["RUNYARD_BIN"];
  const target = process.env["CARGO_TARGET_DIR"] ?? path.join(REPO_ROOT, "target");
  return path.join(target, "debug", "runyard");
}

/**
 * The server's environment: this process's, less anything that would point it elsewhere
 * (an external DATABASE_URL, another data directory, key or port).
 */
function serverEnv(dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === "RUNYARD_LOG" || !(key.startsWith("RUNYARD_") || key.includes("DATABASE_URL"))) {
      env[key] = value;
    }
  }
  env["RUNYARD_DATA_DIR"] = dataDir;
  env["RUNYARD_LISTEN"] = "127.0.0.1:0";
  env["NO_COLOR"] = "1";
  return env;
}

export class Server {
  /** The server's last lines of output, for failure messages. */
  private readonly logTail: string[] = [];
  private exitReason: string | undefined;
  private readonly exited: Promise<void>;
  private url: string | undefined;

  private constructor(
    readonly binary: string,
    readonly dataDir: string,
    private readonly child: ChildProcess,
  ) {
    const remember = (line: string) => {
      this.logTail.push(line);
      if (this.logTail.length > 40) this.logTail.shift();
    };
    createInterface({ input: child.stderr! }).on("line", remember);
    createInterface({ input: child.stdout! }).on("line", (line) => {
      remember(line);
      // Printed once the server listens, with the port the OS chose.
      const found = /Runyard is listening on (http:\/\/\S+)/.exec(line);
      if (found?.[1]) this.url = found[1];
    });
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

  /** Starts the server and waits until GET /readyz answers 200. */
  static async start(): Promise<Server> {
    const binary = serverBinary();
    try {
      await access(binary, constants.X_OK);
    } catch {
      throw new Error(
        `no runyard binary at ${binary}: build it with \`cargo build -p runyard\` ` +
          `(or set RUNYARD_BIN to the binary to test)`,
      );
    }
    const dataDir = await mkdtemp(path.join(tmpdir(), "runyard-client-test-"));
    // As root, the embedded PostgreSQL runs as `postgres`, which must be able to enter it.
    await chmod(dataDir, 0o755);
    const child = spawn(binary, ["serve"], {
      env: serverEnv(dataDir),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const server = new Server(binary, dataDir, child);
    try {
      await server.waitReady();
      return server;
    } catch (e) {
      await server.stop();
      throw e;
    }
  }

  /** The server's base URL, e.g. `http://127.0.0.1:41234`. */
  get baseUrl(): string {
    if (this.url === undefined) throw new Error("the server is not listening yet");
    return this.url;
  }

  private async waitReady(): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (this.exitReason) throw this.failure(`the server ${this.exitReason} before it was ready`);
      if (this.url !== undefined) {
        const ready = await createRunyardClient({ baseUrl: this.url })
          .GET("/readyz")
          .catch(() => undefined);
        if (ready?.response.status === 200) return;
      }
      if (Date.now() > deadline) {
        throw this.failure(`GET /readyz did not answer 200 within ${START_TIMEOUT_MS / 1000} s`);
      }
      await sleep(200);
    }
  }

  private failure(why: string): Error {
    return new Error(`${why}; its last lines:\n${this.logTail.join("\n") || "(none)"}`);
  }

  /** A user token for `sub`, minted by `runyard token` with the server's secret. */
  async token(sub: string): Promise<string> {
    const { stdout } = await promisify(execFile)(this.binary, ["token", "--sub", sub], {
      env: serverEnv(this.dataDir),
    });
    return stdout.trim();
  }

  /**
   * SIGTERM, then a wait for a clean exit (SIGKILL after 30 s); then the data directory
   * goes. Says how the server ended.
   */
  async stop(): Promise<string> {
    if (this.exitReason === undefined) {
      this.child.kill("SIGTERM");
      const inTime = await Promise.race([
        this.exited.then(() => true),
        // unref: a server that stops at once must not keep the test process waiting.
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), STOP_TIMEOUT_MS).unref()),
      ]);
      if (!inTime) {
        this.child.kill("SIGKILL");
        await this.exited;
        this.exitReason = `was killed after ${STOP_TIMEOUT_MS / 1000} s without exiting`;
      }
    }
    // PostgreSQL may still be removing its files for a moment after it stops.
    await rm(this.dataDir, { recursive: true, force: true, maxRetries: 20, retryDelay: 250 });
    return this.exitReason ?? "stopped";
  }

  /** The server's last lines of output. */
  lastLines(): string {
    return this.logTail.join("\n");
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
