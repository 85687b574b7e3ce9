export interface MeterSnapshot {
  total: number;
  reads: number;
  writes: number;
  byRoute: Record<string, number>;
  /** Keyed by installation id; `app` for App-JWT calls, `anonymous` for unauthenticated ones. */
  byInstallation: Record<string, { reads: number; writes: number }>;
}

/** Counts the REST requests the sandbox served, so benchmarks can report what a task costs in API calls. */
export class Meter {
  private snapshotValue: MeterSnapshot = Meter.empty();

  private static empty(): MeterSnapshot {
    return { total: 0, reads: 0, writes: 0, byRoute: {}, byInstallation: {} };
  }

  record(routeKey: string, method: string, who: string): void {
    const s = this.snapshotValue;
    const isRead = method === "GET" || method === "HEAD";
    s.total += 1;
    if (isRead) s.reads += 1;
    else s.writes += 1;
    s.byRoute[routeKey] = (s.byRoute[routeKey] ?? 0) + 1;
    const entry = s.byInstallation[who] ?? { reads: 0, writes: 0 };
    if (isRead) entry.reads += 1;
    else entry.writes += 1;
    s.byInstallation[who] = entry;
  }

  snapshot(): MeterSnapshot {
    return structuredClone(this.snapshotValue);
  }

  reset(): void {
    this.snapshotValue = Meter.empty();
  }
}
