// Small building blocks shared by the pages: badges, times, problems, empty states, and
// the hooks that load data and run actions.

import type { ComponentChildren } from "preact";
import { useCallback, useContext, useEffect, useRef, useState } from "preact/hooks";

import { describe, isUnauthorized } from "./api.js";
import { Ctx } from "./context.js";
import { exact, relative } from "./format.js";

function title(status: string): string {
  const lower = status.toLowerCase();
  return lower.charAt(0).toUpperCase() + lower.slice(1);
}

/** A status with its colour: job, task, step and runner statuses alike. */
export function Badge({ status, label }: { status: string; label?: string }) {
  return (
    <span class={`badge s-${status.toLowerCase()}`} data-status={status}>
      <span class="dot" aria-hidden="true" />
      {label ?? title(status)}
    </span>
  );
}

export function RelTime({ iso, prefix }: { iso: string | null | undefined; prefix?: string }) {
  const { now } = useContext(Ctx);
  if (!iso) return <span class="muted">—</span>;
  return (
    <time dateTime={iso} title={exact(iso)}>
      {prefix}
      {relative(iso, now)}
    </time>
  );
}

/** An API error as its problem's title and detail. */
export function ProblemBox({ error, onDismiss }: { error: unknown; onDismiss?: () => void }) {
  if (!error) return null;
  const shown = describe(error);
  return (
    <div class="problem" role="alert">
      <div class="problem-text">
        <strong class="problem-title">{shown.title}</strong>
        <span class="problem-detail">{shown.detail}</span>
        {shown.code && (
          <span class="problem-code">
            {shown.status} · {shown.code}
          </span>
        )}
      </div>
      {onDismiss && (
        <button type="button" class="btn ghost small" onClick={onDismiss} aria-label="Dismiss the error">
          ✕
        </button>
      )}
    </div>
  );
}

export function Empty({ title: heading, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="empty">
      <div class="empty-art" aria-hidden="true">
        <svg viewBox="0 0 48 48" width="40" height="40">
          <rect x="6" y="10" width="36" height="28" rx="5" fill="none" stroke="currentColor" stroke-width="2.5" />
          <path d="M6 19h36M14 27h12M14 32h8" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" />
        </svg>
      </div>
      <p class="empty-title">{heading}</p>
      {children && <div class="empty-body">{children}</div>}
    </div>
  );
}

export function Loading({ what }: { what?: string }) {
  return (
    <div class="loading" role="status">
      <span class="spinner" aria-hidden="true" /> Loading{what ? ` ${what}` : ""}…
    </div>
  );
}

export function Labels({ labels }: { labels: string[] }) {
  if (labels.length === 0) return <span class="muted">—</span>;
  return (
    <span class="labels">
      {labels.map((l) => (
        <span class="label" key={l}>
          {l}
        </span>
      ))}
    </span>
  );
}

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** Loads again, keeping the current data on screen meanwhile. */
  reload: () => Promise<void>;
}

/**
 * Loads `fetcher()` now and whenever `deps` change. A 401 signs out; other errors are
 * returned for the page to show. Answers to superseded loads are dropped.
 */
export function useLoad<T>(fetcher: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const { signOut } = useContext(Ctx);
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  const generation = useRef(0);
  const latest = useRef(fetcher);
  latest.current = fetcher;
  const reload = useCallback(async () => {
    const mine = ++generation.current;
    setState((s) => ({ ...s, loading: true }));
    try {
      const data = await latest.current();
      if (mine === generation.current) setState({ data, error: undefined, loading: false });
    } catch (error) {
      if (isUnauthorized(error)) {
        signOut("Your session has ended: sign in again.");
        return;
      }
      if (mine === generation.current) setState((s) => ({ ...s, error, loading: false }));
    }
  }, [signOut]);
  useEffect(() => {
    setState({ data: undefined, error: undefined, loading: true });
    void reload();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return { ...state, reload };
}

/** Runs actions one at a time, keeping the last one's error for the page to show. */
export function useAction(): {
  run: (action: () => Promise<unknown>) => Promise<boolean>;
  busy: boolean;
  error: unknown;
  clear: () => void;
} {
  const { signOut } = useContext(Ctx);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const run = useCallback(
    async (action: () => Promise<unknown>) => {
      setBusy(true);
      setError(undefined);
      try {
        await action();
        return true;
      } catch (e) {
        if (isUnauthorized(e)) signOut("Your session has ended: sign in again.");
        else setError(e);
        return false;
      } finally {
        setBusy(false);
      }
    },
    [signOut],
  );
  return { run, busy, error, clear: () => setError(undefined) };
}

export function Field({
  label,
  hint,
  children,
  id,
}: {
  label: string;
  hint?: string;
  id: string;
  children: ComponentChildren;
}) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children}
      {hint && (
        <small class="hint" id={`${id}-hint`}>
          {hint}
        </small>
      )}
    </div>
  );
}
