import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";
import type { Redis } from "ioredis";
import type { Keys } from "../fleet/keys.js";

/** A person signed in to the fleet dashboard, with the user access token GitHub gave the App for them. */
export interface Session {
  login: string;
  userId: number;
  /** The user access token (`ghu_…`): it sees what the person sees, and nothing the App sees beyond that. */
  token: string;
  /** When the session ends (ms since the epoch): when GitHub's token expires, at the latest. */
  expiresAt: number;
}

/** A session lasts as long as its token, and never more than a working day. */
const MAX_SESSION_MS = 8 * 60 * 60 * 1000;
/** A sign-in must come back from GitHub within this. */
const SIGN_IN_SECONDS = 600;

/**
 * Dashboard sessions in Redis. The browser holds a random id; Redis holds the session under the id's hash
 * (whoever reads Redis cannot present it), with the token encrypted with a key derived from the App's client
 * secret (whoever reads Redis without the secret cannot use it).
 */
export class Sessions {
  private readonly key: Buffer;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    clientSecret: string,
  ) {
    this.key = createHash("sha256").update(`flotilla-dashboard:${clientSecret}`).digest();
  }

  /** Starts a session; returns the id for the cookie. */
  async create(session: Session): Promise<string> {
    const id = randomBytes(32).toString("base64url");
    const expiresAt = Math.min(session.expiresAt, Date.now() + MAX_SESSION_MS);
    const record = { ...session, token: this.seal(session.token), expiresAt };
    await this.redis.set(
      this.keys.dashboardSession(hashOf(id)),
      JSON.stringify(record),
      "PX",
      Math.max(1, expiresAt - Date.now()),
    );
    return id;
  }

  async get(id: string | undefined): Promise<Session | undefined> {
    if (!id) return undefined;
    const raw = await this.redis.get(this.keys.dashboardSession(hashOf(id)));
    if (!raw) return undefined;
    const record = JSON.parse(raw) as Session;
    const token = this.open(record.token);
    if (token === undefined || record.expiresAt <= Date.now()) return undefined;
    return { ...record, token };
  }

  async end(id: string | undefined): Promise<void> {
    if (id) await this.redis.del(this.keys.dashboardSession(hashOf(id)));
  }

  /** The token a session's forms carry, so another site cannot post them (the cookie alone is not enough). */
  formToken(id: string): string {
    return createHmac("sha256", this.key).update(`form:${id}`).digest("base64url");
  }

  formTokenMatches(id: string, token: string | undefined): boolean {
    const expected = Buffer.from(this.formToken(id));
    const given = Buffer.from(token ?? "");
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** A sign-in under way: the `state` for GitHub's authorize page, remembered with where to return. */
  async beginSignIn(returnTo: string): Promise<string> {
    const state = randomBytes(24).toString("base64url");
    await this.redis.set(this.keys.dashboardSignIn(state), returnTo, "EX", SIGN_IN_SECONDS);
    return state;
  }

  /** Where the sign-in with this `state` returns to; undefined when it was not ours, expired or used. */
  async finishSignIn(state: string): Promise<string | undefined> {
    return (await this.redis.getdel(this.keys.dashboardSignIn(state))) ?? undefined;
  }

  private seal(text: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    const sealed = Buffer.concat([cipher.update(text, "utf8"), cipher.final()]);
    return [iv, cipher.getAuthTag(), sealed].map((part) => part.toString("base64url")).join(".");
  }

  /** undefined when the sealed text was made with another key (the client secret was rotated). */
  private open(text: string): string | undefined {
    const [iv, tag, sealed] = text.split(".").map((part) => Buffer.from(part, "base64url"));
    if (!iv || !tag || !sealed) return undefined;
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.key, iv);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(sealed), decipher.final()]).toString("utf8");
    } catch {
      return undefined;
    }
  }
}

function hashOf(id: string): string {
  return createHash("sha256").update(id).digest("hex");
}
