import { createServer } from "node:net";

/**
 * A loopback port nobody listens on right now. Probot reads port 0 as "unset" and takes 3000, so servers
 * that must not collide (tests, the demo, benchmarks) ask for a free port first.
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
