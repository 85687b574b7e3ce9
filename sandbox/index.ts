export type { FaultKind, FaultRule } from "./http/faults.js";
export { Sandbox, type SandboxOptions } from "./sandbox.js";
export type { Script } from "./scripting/index.js";
export type { Delivery } from "./webhooks/webhooks.js";
