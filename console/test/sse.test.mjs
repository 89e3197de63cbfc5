// The SSE parser (src/sse.ts), bundled for Node with the console's own esbuild: events
// split across chunks at any point, CRLF and CR line ends, comments, ids kept across
// events, and `retry:`.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, test } from "node:test";
import * as esbuild from "esbuild";

import { CONSOLE_DIR } from "../scripts/build.mjs";

let dir;
let SseParser;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "runyard-console-sse-"));
  const out = path.join(dir, "sse.mjs");
  await esbuild.build({
    absWorkingDir: CONSOLE_DIR,
    entryPoints: ["src/sse.ts"],
    outfile: out,
    bundle: true,
    format: "esm",
    platform: "neutral",
    logLevel: "warning",
  });
  ({ SseParser } = await import(pathToFileURL(out).href));
});

after(() => rm(dir, { recursive: true, force: true }));

const STREAM =
  "\uFEFF: keep-alive\n\nevent: log\nid: 1\ndata: {\"seq\":1}\n\n" +
  "id: 2\r\ndata: line one\r\ndata: line two\r\n\r\n" +
  "retry: 2500\rdata:no space\r\r" +
  "event: end\ndata: {}\n\n";

const EXPECTED = [
  { type: "log", data: '{"seq":1}', id: "1" },
  { type: "message", data: "line one\nline two", id: "2" },
  { type: "message", data: "no space", id: "2" },
  { type: "end", data: "{}", id: "2" },
];

test("a whole stream parses into its events", () => {
  const parser = new SseParser();
  assert.deepEqual(parser.push(STREAM), EXPECTED);
  assert.equal(parser.retryMs, 2500);
  assert.equal(parser.lastEventId, "2");
});

test("any split into chunks gives the same events", () => {
  for (let cut = 0; cut <= STREAM.length; cut++) {
    for (const size of [1, 3, 7]) {
      const parser = new SseParser();
      const events = [...parser.push(STREAM.slice(0, cut))];
      for (let i = cut; i < STREAM.length; i += size) events.push(...parser.push(STREAM.slice(i, i + size)));
      assert.deepEqual(events, EXPECTED, `cut at ${cut}, then chunks of ${size}`);
    }
  }
});

test("an incomplete event is not dispatched, and a resumed id is kept", () => {
  const parser = new SseParser("41");
  assert.deepEqual(parser.push("data: half"), []);
  assert.deepEqual(parser.push("\n"), []);
  assert.deepEqual(parser.push("\n"), [{ type: "message", data: "half", id: "41" }]);
  assert.deepEqual(parser.push("id\n\n"), []);
  assert.equal(parser.lastEventId, "");
});
