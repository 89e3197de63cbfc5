// How times, durations, sizes and ids read.

/** "just now", "12 s ago", "3 min ago", "in 5 min", then a date. */
export function relative(iso: string | null | undefined, now: number): string {
  if (!iso) return "—";
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return iso;
  const diff = Math.round((now - then) / 1000);
  const abs = Math.abs(diff);
  if (abs < 5) return "just now";
  const say = (n: number, unit: string) => (diff >= 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`);
  if (abs < 60) return say(abs, "s");
  if (abs < 3600) return say(Math.floor(abs / 60), "min");
  if (abs < 86_400) return say(Math.floor(abs / 3600), "h");
  if (abs < 30 * 86_400) return say(Math.floor(abs / 86_400), "d");
  return new Date(then).toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}

/** A full local date and time, for tooltips. */
export function exact(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/** "850 ms", "4.2 s", "3 min 4 s", "2 h 5 min". */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.floor(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** The time between two instants (the second one defaulting to `now`). */
export function between(from: string | null | undefined, to: string | null | undefined, now: number): string {
  if (!from) return "—";
  const end = to ? Date.parse(to) : now;
  return duration(end - Date.parse(from));
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** The first block of a UUID, enough to tell jobs apart on screen. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

export function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? "null";
}

export function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

/** `runner:<uuid>` as `runner 01a2094f`; users and `system` as they are. */
export function actor(raw: string): string {
  const [kind, id] = raw.split(":", 2);
  return kind === "runner" && id && id.length > 8 ? `runner ${id.slice(0, 8)}` : raw;
}
