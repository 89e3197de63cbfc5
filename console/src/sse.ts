// Server-Sent Events over fetch.
//
// Why not EventSource: it cannot send an `Authorization` header, and the API takes its
// bearer token only there (a token in the URL would end up in logs and history). So the
// streams are opened with the generated client (`parseAs: "stream"`, which is fetch) and
// the body is read as a ReadableStream and parsed here, following the SSE rules of the
// HTML standard. Like EventSource, `follow` reconnects after a dropped connection and
// sends the last event id it saw as `Last-Event-ID`, so the server resumes after it.

/** One dispatched event. */
export interface SseEvent {
  /** The `event:` field, `message` by default. */
  type: string;
  data: string;
  /** The last event id in force when this event was dispatched. */
  id: string | undefined;
}

/** Parses an event stream fed to it in arbitrary chunks. */
export class SseParser {
  private buffer = "";
  private data: string[] = [];
  private type = "";
  private started = false;
  /** The last `id:` seen (kept across events, as the standard asks). */
  lastEventId: string | undefined;
  /** A `retry:` the server asked for, in milliseconds. */
  retryMs: number | undefined;

  constructor(lastEventId?: string) {
    this.lastEventId = lastEventId;
  }

  /** Feeds text; returns the events it completed. */
  push(text: string): SseEvent[] {
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.buffer += text;
    const events: SseEvent[] = [];
    for (;;) {
      const end = this.buffer.search(/[\r\n]/);
      if (end < 0) break;
      // A CR at the very end may be the first half of a CRLF: wait for more.
      if (this.buffer[end] === "\r" && end === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, end);
      const width = this.buffer[end] === "\r" && this.buffer[end + 1] === "\n" ? 2 : 1;
      this.buffer = this.buffer.slice(end + width);
      const event = this.line(line);
      if (event) events.push(event);
    }
    return events;
  }

  private line(line: string): SseEvent | undefined {
    if (line === "") {
      const data = this.data;
      const type = this.type || "message";
      this.data = [];
      this.type = "";
      if (data.length === 0) return undefined;
      return { type, data: data.join("\n"), id: this.lastEventId };
    }
    if (line.startsWith(":")) return undefined;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "data":
        this.data.push(value);
        break;
      case "event":
        this.type = value;
        break;
      case "id":
        if (!value.includes("\0")) this.lastEventId = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
    }
    return undefined;
  }
}

/** What `open` resolves to: an openapi-fetch result with `parseAs: "stream"`. */
export interface Opened {
  data?: ReadableStream<Uint8Array> | null;
  error?: unknown;
  response: Response;
}

export type StreamState = "connecting" | "open" | "retrying" | "closed";

export interface FollowOptions {
  /** Opens the stream, resuming after `lastEventId` when it is set. */
  open: (lastEventId: string | undefined, signal: AbortSignal) => Promise<Opened>;
  /** Called for every event; return `"stop"` to close the stream for good. */
  onEvent: (event: SseEvent) => void | "stop";
  /** Connection changes; `closed` with a response means the server refused the stream. */
  onState?: (state: StreamState, refused?: { error: unknown; response: Response }) => void;
  lastEventId?: string;
  /** First wait before reconnecting; doubled per failed attempt up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
}

/**
 * Follows a stream until stopped: reconnects (with `Last-Event-ID`) when the connection
 * drops or the server ends it, and gives up only when the server refuses with a 4xx
 * other than 408/429. Returns the function that stops it.
 */
export function follow(options: FollowOptions): () => void {
  const abort = new AbortController();
  const retryFirst = options.retryMs ?? 1000;
  const retryMax = options.maxRetryMs ?? 15_000;
  let lastEventId = options.lastEventId;
  let stopped = false;
  const setState = (state: StreamState, refused?: { error: unknown; response: Response }) => {
    if (!stopped || state === "closed") options.onState?.(state, refused);
  };
  const stop = () => {
    if (stopped) return;
    stopped = true;
    abort.abort();
    options.onState?.("closed");
  };

  void (async () => {
    let wait = retryFirst;
    while (!stopped) {
      setState("connecting");
      const parser = new SseParser(lastEventId);
      try {
        const opened = await options.open(lastEventId, abort.signal);
        const { response } = opened;
        if (!response.ok || !opened.data) {
          const status = response.status;
          if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
            stopped = true;
            options.onState?.("closed", { error: opened.error, response });
            return;
          }
        } else {
          setState("open");
          wait = retryFirst;
          const reader = opened.data.getReader();
          const decoder = new TextDecoder();
          try {
            for (;;) {
              const { value, done } = await reader.read();
              if (done) break;
              for (const event of parser.push(decoder.decode(value, { stream: true }))) {
                lastEventId = event.id;
                if (options.onEvent(event) === "stop") {
                  stop();
                  return;
                }
                if (stopped) return;
              }
            }
          } finally {
            reader.cancel().catch(() => {});
          }
          lastEventId = parser.lastEventId;
          if (parser.retryMs !== undefined) wait = parser.retryMs;
        }
      } catch {
        // A dropped connection or an aborted fetch: retry unless stopped.
        lastEventId = parser.lastEventId ?? lastEventId;
      }
      if (stopped) return;
      setState("retrying");
      await sleep(wait, abort.signal);
      wait = Math.min(wait * 2, retryMax);
    }
  })();
  return stop;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
