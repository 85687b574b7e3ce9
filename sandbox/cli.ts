/**
 * `npm run sandbox [-- --port 3700]`: an empty sandbox for other processes, driven through the scripting
 * API (`POST /_sandbox/<action>`). Stops on Ctrl-C and removes its data.
 */
import { Sandbox } from "./sandbox.js";

const portFlag = process.argv.indexOf("--port");
const port = Number(portFlag >= 0 ? process.argv[portFlag + 1] : (process.env.SANDBOX_PORT ?? 3700));
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`sandbox: --port must be a port number, not ${process.argv[portFlag + 1]}`);
  process.exit(64);
}

const sandbox = await Sandbox.start({ port });
console.log(`GitHub sandbox at ${sandbox.baseUrl} (scripting: POST ${sandbox.baseUrl}/_sandbox/<action>)`);
const stop = () => {
  sandbox.stop().then(() => process.exit(0));
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
