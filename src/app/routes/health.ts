import type { IncomingMessage, ServerResponse } from "node:http";
import type { Redis } from "ioredis";

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/** `/healthz`: the process answers. */
export function healthz(_req: IncomingMessage, res: ServerResponse): void {
  send(res, 200, { status: "ok" });
}

/**
 * `/readyz`: this process can take webhooks: Redis answers, and it keeps what it is given
 * (`maxmemory-policy noeviction`; any other policy may evict queued jobs and task records under memory
 * pressure, and BullMQ needs it). 503 with each problem otherwise, so a load balancer keeps traffic away.
 */
export function readyz(redis: Redis) {
  return async (_req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const problems: string[] = [];
    try {
      await redis.ping();
      const memory = await redis.info("memory");
      const policy = /^maxmemory_policy:(\S+)/m.exec(memory)?.[1];
      if (policy !== "noeviction")
        problems.push(`Redis maxmemory-policy is ${policy ?? "unknown"}; Flotilla needs noeviction`);
    } catch (error) {
      problems.push(`Redis does not answer: ${(error as Error).message}`);
    }
    if (problems.length > 0) send(res, 503, { status: "not ready", problems });
    else send(res, 200, { status: "ready" });
  };
}
