// A workspace at a glance (its landing page): the queue by status, throughput over the
// last hour, and cost and tokens per day by model. The charts are inline SVG drawn here,
// so nothing is fetched from anywhere but the API.

import { useContext, useEffect } from "preact/hooks";

import { unwrap, type Schemas, type Workspace } from "../api.js";
import { Ctx } from "../context.js";
import { duration } from "../format.js";
import { useLiveEvents, useThrottled } from "../live.js";
import { href } from "../router.js";
import { ProblemBox, useLoad } from "../ui.js";

type Usage = Schemas["Usage"];
type UsageItem = Schemas["UsageItem"];

const DAYS = 14;
/** Series colours, by position; also the legend's. */
const PALETTE = ["#4f6bed", "#e8833a", "#2e9e6a", "#c2417b", "#7a5bd6", "#c9a227", "#3a9fb5", "#8d6e63"];
const STATUS_COLOURS: Record<string, string> = {
  PENDING: "#9aa3b2",
  QUEUED: "#4f6bed",
  RUNNING: "#e8833a",
  PAUSED: "#7a5bd6",
  SUSPENDED: "#3a9fb5",
  COMPLETED: "#2e9e6a",
  FAILED: "#d64545",
  CANCELLED: "#6b7280",
};

export function OverviewPage({ ws }: { ws: Workspace }) {
  const { api } = useContext(Ctx);
  useEffect(() => {
    document.title = `Overview · ${ws.name} · Runyard`;
  }, [ws.name]);
  const stats = useLoad(
    () => unwrap(api.GET("/v1/workspaces/{ws}/stats", { params: { path: { ws: ws.slug } } })),
    [ws.slug],
  );
  const usage = useLoad(() => {
    const to = new Date();
    const from = new Date(Date.UTC(to.getUTCFullYear(), to.getUTCMonth(), to.getUTCDate() - (DAYS - 1)));
    return unwrap(
      api.GET("/v1/workspaces/{ws}/usage", {
        params: {
          path: { ws: ws.slug },
          query: { from: from.toISOString(), to: to.toISOString(), group_by: "day", then_by: "model" },
        },
      }),
    );
  }, [ws.slug]);
  const refresh = useThrottled(() => Promise.all([stats.reload(), usage.reload()]).then(() => {}), 2000);
  useLiveEvents(() => true, refresh);
  // Waits and minutes move without events: look again every 15 s.
  useEffect(() => {
    const timer = setInterval(() => void refresh(), 15_000);
    return () => clearInterval(timer);
  }, [ws.slug]);

  const s = stats.data;
  const total = (s?.counts ?? []).reduce((n, c) => n + c.count, 0);
  const lastHour = (s?.throughput ?? []).reduce(
    (acc, m) => ({ completed: acc.completed + m.completed, failed: acc.failed + m.failed }),
    { completed: 0, failed: 0 },
  );
  const items = usage.data?.items ?? [];
  const spent = items.reduce((sum, i) => addDecimal(sum, i.cost_usd), "0");
  const tokens = items.reduce((n, i) => n + i.input_tokens + i.output_tokens, 0);
  return (
    <div class="page overview">
      <div class="page-head">
        <h1>{ws.name}</h1>
      </div>
      <ProblemBox error={stats.error ?? usage.error} />
      <div class="tiles">
        <Tile label="Jobs" value={s ? String(total) : "…"} href={href.jobs(ws.slug)} />
        <Tile
          label="Oldest queued"
          value={s ? (s.oldest_queued_seconds == null ? "–" : duration(s.oldest_queued_seconds * 1000)) : "…"}
          href={href.jobs(ws.slug, { status: "QUEUED" })}
        />
        <Tile label="Last hour" value={s ? `${lastHour.completed} ✓ · ${lastHour.failed} ✗` : "…"} />
        <Tile
          label="Queue wait p50 / p95"
          value={s ? `${ms(s.queue_wait.p50_ms)} / ${ms(s.queue_wait.p95_ms)}` : "…"}
        />
        <Tile label="Run time p50 / p95" value={s ? `${ms(s.run_time.p50_ms)} / ${ms(s.run_time.p95_ms)}` : "…"} />
        <Tile label={`Cost, ${DAYS} days`} value={usage.data ? `$${money(spent)}` : "…"} />
        <Tile label={`Tokens, ${DAYS} days`} value={usage.data ? compact(tokens) : "…"} />
      </div>
      <div class="charts">
        <section class="card section chart-card" aria-labelledby="queue-chart-title">
          <h2 id="queue-chart-title">Queue by status</h2>
          {s && <StatusBars counts={s.counts} />}
          {s && s.running_by_runner.length > 0 && (
            <p class="muted small">
              Running:{" "}
              {s.running_by_runner.map((r, i) => (
                <span key={r.runner_id}>
                  {i > 0 && ", "}
                  {r.name} {r.running}
                </span>
              ))}
            </p>
          )}
        </section>
        <section class="card section chart-card" aria-labelledby="throughput-chart-title">
          <h2 id="throughput-chart-title">Throughput, last hour</h2>
          {s && <Throughput minutes={s.throughput} />}
        </section>
        <section class="card section chart-card wide" aria-labelledby="cost-chart-title">
          <h2 id="cost-chart-title">Cost per day by model (USD)</h2>
          {usage.data && <PerDay items={items} value={(i) => Number(i.cost_usd)} format={(v) => `$${v.toFixed(2)}`} label="Cost per day by model" />}
        </section>
        <section class="card section chart-card wide" aria-labelledby="tokens-chart-title">
          <h2 id="tokens-chart-title">Tokens per day by model</h2>
          {usage.data && <PerDay items={items} value={(i) => i.input_tokens + i.output_tokens} format={compact} label="Tokens per day by model" />}
        </section>
      </div>
    </div>
  );
}

function Tile({ label, value, href: to }: { label: string; value: string; href?: string }) {
  const inner = (
    <>
      <span class="tile-label">{label}</span>
      <span class="tile-value">{value}</span>
    </>
  );
  return to ? (
    <a class="card tile" href={to}>
      {inner}
    </a>
  ) : (
    <div class="card tile">{inner}</div>
  );
}

function ms(v: number | null | undefined): string {
  return v == null ? "–" : duration(v);
}

/** 1234567 → "1.2M". */
export function compact(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(0)}k`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}

/** Adds two non-negative decimal strings exactly (money never goes through a float). */
export function addDecimal(a: string, b: string): string {
  const [ai = "0", af = ""] = a.split(".");
  const [bi = "0", bf = ""] = b.split(".");
  const scale = Math.max(af.length, bf.length);
  const x = BigInt(ai + af.padEnd(scale, "0")) + BigInt(bi + bf.padEnd(scale, "0"));
  const digits = x.toString().padStart(scale + 1, "0");
  return scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** A decimal string of dollars, to cents (rounded half up), or more digits below a cent. */
export function money(v: string): string {
  const n = Number(v);
  if (n > 0 && n < 0.01) return v.replace(/0+$/, "");
  return n.toFixed(2);
}

function StatusBars({ counts }: { counts: Schemas["StatusCount"][] }) {
  const max = Math.max(1, ...counts.map((c) => c.count));
  const row = 26;
  const labelW = 96;
  const width = 420;
  const barW = width - labelW - 48;
  return (
    <svg class="chart" viewBox={`0 0 ${width} ${counts.length * row}`} role="img" aria-label="Jobs by status">
      {counts.map((c, i) => {
        const w = (c.count / max) * barW;
        return (
          <g key={c.status} transform={`translate(0 ${i * row})`} data-status={c.status}>
            <text x={labelW - 8} y={row / 2 + 4} text-anchor="end" class="chart-label">
              {c.status}
            </text>
            <rect x={labelW} y={5} width={barW} height={row - 10} rx={3} class="chart-track" />
            <rect x={labelW} y={5} width={Math.max(w, c.count > 0 ? 2 : 0)} height={row - 10} rx={3} fill={STATUS_COLOURS[c.status] ?? "#888"}>
              <title>
                {c.status}: {c.count}
              </title>
            </rect>
            <text x={labelW + Math.max(w, 0) + 6} y={row / 2 + 4} class="chart-value">
              {c.count}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

function Throughput({ minutes }: { minutes: Schemas["MinuteThroughput"][] }) {
  const width = 420;
  const height = 150;
  const pad = { left: 28, bottom: 18, top: 8 };
  const plotH = height - pad.bottom - pad.top;
  const max = Math.max(1, ...minutes.map((m) => m.completed + m.failed));
  const colW = (width - pad.left) / Math.max(minutes.length, 1);
  const y = (v: number) => pad.top + plotH - (v / max) * plotH;
  return (
    <>
      <svg class="chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label="Completed and failed jobs per minute over the last hour">
        <line x1={pad.left} x2={width} y1={y(0)} y2={y(0)} class="chart-axis" />
        <text x={pad.left - 4} y={y(max) + 4} text-anchor="end" class="chart-label">
          {max}
        </text>
        <text x={pad.left - 4} y={y(0)} text-anchor="end" class="chart-label">
          0
        </text>
        {minutes.map((m, i) => {
          const x = pad.left + i * colW + 1;
          const w = Math.max(colW - 2, 1);
          return (
            <g key={m.minute} data-minute={m.minute}>
              {m.completed > 0 && <rect x={x} y={y(m.completed)} width={w} height={y(0) - y(m.completed)} fill="#2e9e6a" />}
              {m.failed > 0 && (
                <rect x={x} y={y(m.completed + m.failed)} width={w} height={y(m.completed) - y(m.completed + m.failed)} fill="#d64545" />
              )}
              <title>
                {new Date(m.minute).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}: {m.completed} completed,{" "}
                {m.failed} failed
              </title>
            </g>
          );
        })}
        <text x={pad.left} y={height - 4} class="chart-label">
          −60 min
        </text>
        <text x={width} y={height - 4} text-anchor="end" class="chart-label">
          now
        </text>
      </svg>
      <Legend entries={[["completed", "#2e9e6a"], ["failed", "#d64545"]]} />
    </>
  );
}

function Legend({ entries }: { entries: [string, string][] }) {
  return (
    <ul class="legend">
      {entries.map(([name, colour]) => (
        <li key={name}>
          <span class="swatch" style={{ background: colour }} aria-hidden="true" />
          {name}
        </li>
      ))}
    </ul>
  );
}

/** Stacked columns: one per UTC day of the window, one colour per model. */
function PerDay({
  items,
  value,
  format,
  label,
}: {
  items: UsageItem[];
  value: (i: UsageItem) => number;
  format: (v: number) => string;
  label: string;
}) {
  if (items.length === 0) {
    return <p class="muted">No model calls or step-reported usage in the last {DAYS} days.</p>;
  }
  const today = new Date();
  const days = Array.from({ length: DAYS }, (_, k) => {
    const d = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - (DAYS - 1 - k)));
    return d.toISOString().slice(0, 10);
  });
  // Models by their total, largest first, so colours are stable for the big ones.
  const totals = new Map<string, number>();
  for (const i of items) totals.set(i.subgroup ?? "?", (totals.get(i.subgroup ?? "?") ?? 0) + value(i));
  const models = [...totals.entries()].sort((a, b) => b[1] - a[1]).map(([m]) => m);
  const colour = (m: string) => PALETTE[models.indexOf(m) % PALETTE.length]!;
  const byDay = new Map<string, Map<string, number>>();
  for (const i of items) {
    const day = byDay.get(i.group ?? "") ?? new Map<string, number>();
    day.set(i.subgroup ?? "?", (day.get(i.subgroup ?? "?") ?? 0) + value(i));
    byDay.set(i.group ?? "", day);
  }
  const dayTotal = (d: string) => [...(byDay.get(d)?.values() ?? [])].reduce((a, b) => a + b, 0);
  const max = Math.max(...days.map(dayTotal), 0) || 1;
  const width = 860;
  const height = 190;
  const pad = { left: 64, bottom: 20, top: 10 };
  const plotH = height - pad.top - pad.bottom;
  const colW = (width - pad.left) / days.length;
  const y = (v: number) => pad.top + plotH - (v / max) * plotH;
  return (
    <>
      <svg class="chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
        <line x1={pad.left} x2={width} y1={y(0)} y2={y(0)} class="chart-axis" />
        <line x1={pad.left} x2={width} y1={y(max)} y2={y(max)} class="chart-grid" />
        <text x={pad.left - 6} y={y(max) + 4} text-anchor="end" class="chart-label">
          {format(max)}
        </text>
        <text x={pad.left - 6} y={y(0)} text-anchor="end" class="chart-label">
          0
        </text>
        {days.map((d, k) => {
          const x = pad.left + k * colW + colW * 0.15;
          const w = colW * 0.7;
          let base = 0;
          const parts = models
            .map((m) => [m, byDay.get(d)?.get(m) ?? 0] as const)
            .filter(([, v]) => v > 0)
            .map(([m, v]) => {
              const top = base + v;
              const rect = (
                <rect key={m} x={x} y={y(top)} width={w} height={Math.max(y(base) - y(top), 0.5)} fill={colour(m)} data-model={m}>
                  <title>
                    {d} · {m}: {format(v)}
                  </title>
                </rect>
              );
              base = top;
              return rect;
            });
          return (
            <g key={d} data-day={d}>
              {parts}
              {(k % 2 === 0 || k === days.length - 1) && (
                <text x={x + w / 2} y={height - 5} text-anchor="middle" class="chart-label">
                  {d.slice(5)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <Legend entries={models.map((m) => [m, colour(m)] as [string, string])} />
    </>
  );
}

/** What a job or a task used, as a few figures. */
export function UsageFigures({ usage, id }: { usage: Usage; id: string }) {
  return (
    <section class="card section" aria-labelledby={id}>
      <h2 id={id}>Usage</h2>
      <dl class="facts usage-facts">
        <dt>Model calls</dt>
        <dd data-field="ai_calls">{usage.ai_calls}</dd>
        <dt>Input tokens</dt>
        <dd data-field="input_tokens">{usage.input_tokens.toLocaleString()}</dd>
        <dt>Output tokens</dt>
        <dd data-field="output_tokens">{usage.output_tokens.toLocaleString()}</dd>
        <dt>Cost</dt>
        <dd data-field="cost_usd" title={`$${usage.cost_usd}`}>
          ${usage.cost_usd}
        </dd>
      </dl>
    </section>
  );
}
