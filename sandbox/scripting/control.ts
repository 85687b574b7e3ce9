import type { FaultRule } from "../http/faults.js";
import type { Sandbox } from "../sandbox.js";

/** Fault injection, metering and webhook control, for tests and benchmarks. */
export const controlActions = {
  addFault(sb: Sandbox, args: FaultRule) {
    sb.faults.add(args);
    return { faults: sb.faults.list() };
  },
  clearFaults(sb: Sandbox, _args: Record<string, never> = {}) {
    sb.faults.clear();
    return { faults: [] };
  },
  meter(sb: Sandbox, _args: Record<string, never> = {}) {
    return sb.meter.snapshot();
  },
  resetMeter(sb: Sandbox, _args: Record<string, never> = {}) {
    sb.meter.reset();
    return sb.meter.snapshot();
  },
  dropWebhooks(sb: Sandbox, args: { next?: number; rate?: number; events?: string[] }) {
    if (args.next) sb.webhooks.dropNext(args.next);
    if (args.rate !== undefined) sb.webhooks.setDropRate(args.rate);
    if (args.events) sb.webhooks.dropEvents(args.events);
    return { ok: true };
  },
  redeliver(sb: Sandbox, args: { delivery: string | number }) {
    const again = sb.webhooks.redeliver(args.delivery);
    return { id: again.id, guid: again.guid };
  },
  /** The delivery log, oldest first, optionally only one event. */
  deliveries(sb: Sandbox, args: { event?: string } = {}) {
    return sb.webhooks.deliveries
      .filter((d) => !args.event || d.event === args.event)
      .map(({ payload, ...rest }) => ({ ...rest, payload }));
  },
  async settleWebhooks(sb: Sandbox, _args: Record<string, never> = {}) {
    await sb.webhooks.settled();
    return { ok: true };
  },
};
