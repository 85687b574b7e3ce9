import { randomUUID } from "node:crypto";
import { nodeId, renderRepo, renderUser } from "../render/core.js";
import type { Sandbox } from "../sandbox.js";
import type { App, Installation, Repo, User } from "../state/model.js";
import { signatureSha1, signatureSha256 } from "./sign.js";

/** GitHub gives a receiver 10 s before it counts the delivery as failed. */
const DELIVERY_TIMEOUT_MS = 10_000;

export interface Delivery {
  /** The `X-GitHub-Delivery` guid; a redelivery keeps it, as GitHub's does. */
  guid: string;
  /** Numeric id for the `/app/hook/deliveries` API. */
  id: number;
  appId: number;
  installationId: number | null;
  repositoryId: number | null;
  event: string;
  action: string | null;
  payload: Record<string, unknown>;
  deliveredAt: string;
  redelivery: boolean;
  /** pending → delivered | failed | dropped (fault injection) | recorded (the App has no webhook URL). */
  status: "pending" | "delivered" | "failed" | "dropped" | "recorded";
  statusCode: number;
  durationMs: number;
  error: string | null;
}

export interface EmitOptions {
  event: string;
  /** The repository the event is about; null for installation-level events. */
  repo: Repo | null;
  sender: User;
  /** Event-specific fields (`action`, `issue`, `pull_request`…); `repository`, `sender` and `installation` are added. */
  payload: Record<string, unknown>;
  /** Deliver only to this App (e.g. check_run events go to the App that owns the run). */
  appId?: number;
}

type Listener = (delivery: Delivery) => void;

/**
 * Builds, signs and delivers webhooks to every App installed on the repository that subscribes to the event,
 * keeping a log of deliveries (GitHub's "Recent Deliveries") with fault injection: dropped deliveries and
 * redelivery on request.
 */
export class Webhooks {
  readonly deliveries: Delivery[] = [];
  private queues = new Map<number, Promise<void>>();
  private listeners = new Set<Listener>();
  private dropCount = 0;
  private dropRate = 0;
  private droppedEvents = new Set<string>();

  constructor(private readonly sb: Sandbox) {}

  /** Drop the next `count` deliveries (logged as `dropped`, never sent), like a receiver that was down. */
  dropNext(count: number): void {
    this.dropCount += count;
  }

  /** Drop every delivery of these events (e.g. `workflow_run`) until called again with others; [] stops. */
  dropEvents(events: string[]): void {
    this.droppedEvents = new Set(events);
  }

  /** Drop this share (0..1) of deliveries, drawn from the sandbox's seeded random source. */
  setDropRate(rate: number): void {
    this.dropRate = rate;
  }

  /** Called for every delivery once it is settled (delivered, failed, dropped or recorded). */
  onDelivery(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(options: EmitOptions): Delivery[] {
    const targets = this.targets(options);
    return targets.map(({ app, installation }) => {
      const payload: Record<string, unknown> = { ...options.payload };
      if (options.repo) {
        // An event may bring its own rendering (`push` shows `created_at` as a Unix time, unlike the others).
        payload.repository ??= renderRepo(this.sb, options.repo);
        const owner = this.sb.store.user(options.repo.ownerId);
        if (owner.type === "Organization") payload.organization = renderOrganization(this.sb, owner);
      }
      payload.sender = renderUser(this.sb, options.sender);
      if (installation)
        payload.installation = { id: installation.id, node_id: nodeId("Installation", installation.id) };
      const delivery: Delivery = {
        guid: randomUUID(),
        id: this.sb.store.nextId(),
        appId: app.id,
        installationId: installation?.id ?? null,
        repositoryId: options.repo?.id ?? null,
        event: options.event,
        action: typeof payload.action === "string" ? payload.action : null,
        payload,
        deliveredAt: this.sb.store.nowIso(),
        redelivery: false,
        status: "pending",
        statusCode: 0,
        durationMs: 0,
        error: null,
      };
      this.deliveries.push(delivery);
      this.enqueue(app, delivery, true);
      return delivery;
    });
  }

  /** Sends a logged delivery again, with the same guid and payload (GitHub's "Redeliver"). */
  redeliver(guidOrId: string | number): Delivery {
    const original = this.deliveries.find((d) => d.guid === guidOrId || d.id === guidOrId);
    if (!original) throw new Error(`sandbox: no webhook delivery ${guidOrId}`);
    const app = this.sb.store.apps.get(original.appId);
    if (!app) throw new Error(`sandbox: the App of delivery ${guidOrId} is gone`);
    const again: Delivery = {
      ...original,
      id: this.sb.store.nextId(),
      redelivery: true,
      status: "pending",
      statusCode: 0,
      durationMs: 0,
      error: null,
      deliveredAt: this.sb.store.nowIso(),
    };
    this.deliveries.push(again);
    this.enqueue(app, again, false);
    return again;
  }

  /** Resolves when every delivery queued so far has been settled. */
  async settled(): Promise<void> {
    while (true) {
      const pending = [...this.queues.values()];
      await Promise.all(pending);
      if ([...this.queues.values()].every((q, i) => q === pending[i])) return;
    }
  }

  private targets(options: EmitOptions): { app: App; installation: Installation | null }[] {
    const installations = options.repo
      ? this.sb.store.installationsForRepo(options.repo)
      : [...this.sb.store.installations.values()];
    const out: { app: App; installation: Installation | null }[] = [];
    for (const installation of installations) {
      const app = this.sb.store.apps.get(installation.appId);
      // GitHub's own Apps (GitHub Actions, installed for job tokens) have no webhook.
      if (!app || app.builtIn) continue;
      if (options.appId !== undefined && app.id !== options.appId) continue;
      if (!installation.events.includes(options.event) && !ALWAYS_SENT.has(options.event)) continue;
      out.push({ app, installation });
    }
    return out;
  }

  /** Deliveries to one App go out one at a time, in the order they were made. */
  private enqueue(app: App, delivery: Delivery, mayDrop: boolean): void {
    const previous = this.queues.get(app.id) ?? Promise.resolve();
    const next = previous.then(() => this.send(app, delivery, mayDrop));
    this.queues.set(app.id, next);
  }

  private async send(app: App, delivery: Delivery, mayDrop: boolean): Promise<void> {
    if (mayDrop && (this.droppedEvents.has(delivery.event) || this.shouldDrop())) {
      delivery.status = "dropped";
    } else if (!app.webhookUrl) {
      delivery.status = "recorded";
    } else {
      await this.post(app, app.webhookUrl, delivery);
    }
    for (const listener of this.listeners) listener(delivery);
  }

  private shouldDrop(): boolean {
    if (this.dropCount > 0) {
      this.dropCount -= 1;
      return true;
    }
    return this.dropRate > 0 && this.sb.random() < this.dropRate;
  }

  private async post(app: App, url: string, delivery: Delivery): Promise<void> {
    const body = JSON.stringify(delivery.payload);
    const started = Date.now();
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "GitHub-Hookshot/sandbox",
          "x-github-event": delivery.event,
          "x-github-delivery": delivery.guid,
          "x-github-hook-id": String(app.id),
          "x-github-hook-installation-target-id": String(app.id),
          "x-github-hook-installation-target-type": "integration",
          "x-hub-signature": signatureSha1(app.webhookSecret, body),
          "x-hub-signature-256": signatureSha256(app.webhookSecret, body),
        },
        body,
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      await response.arrayBuffer();
      delivery.statusCode = response.status;
      delivery.status = response.ok ? "delivered" : "failed";
    } catch (error) {
      delivery.status = "failed";
      delivery.error = error instanceof Error ? error.message : String(error);
    }
    delivery.durationMs = Date.now() - started;
  }
}

/** Events every App receives whatever it subscribed to. */
const ALWAYS_SENT = new Set(["installation", "installation_repositories", "github_app_authorization"]);

function renderOrganization(sb: Sandbox, org: User) {
  const api = `${sb.baseUrl}/orgs/${org.login}`;
  return {
    login: org.login,
    id: org.id,
    node_id: nodeId("Organization", org.id),
    url: api,
    repos_url: `${api}/repos`,
    events_url: `${api}/events`,
    hooks_url: `${api}/hooks`,
    issues_url: `${api}/issues`,
    members_url: `${api}/members{/member}`,
    public_members_url: `${api}/public_members{/member}`,
    avatar_url: `${sb.baseUrl}/_avatars/${org.id}`,
    description: null,
  };
}
