import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "@jest/globals";
import { loadSettings } from "../../src/app/settings.js";

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

const valid = { APP_ID: "123", PRIVATE_KEY: privateKey, WEBHOOK_SECRET: "a-real-secret-of-some-length" };

describe("server settings", () => {
  it("reads a complete environment, with defaults for the rest", () => {
    expect(loadSettings(valid)).toMatchObject({
      appId: 123,
      githubApiUrl: "https://api.github.com",
      port: 3000,
      logLevel: "info",
    });
  });

  it("refuses to start without a webhook secret, and says which variable to set", () => {
    const { WEBHOOK_SECRET: _, ...rest } = valid;
    expect(() => loadSettings(rest)).toThrow(/WEBHOOK_SECRET is required/);
  });

  it("refuses Probot's placeholder secret 'development'", () => {
    expect(() => loadSettings({ ...valid, WEBHOOK_SECRET: "development" })).toThrow(/WEBHOOK_SECRET/);
  });

  it("names every bad variable at once", () => {
    expect(() => loadSettings({ APP_ID: "abc", WEBHOOK_SECRET: "short" })).toThrow(
      /APP_ID[\s\S]*WEBHOOK_SECRET must be at least 16 characters[\s\S]*PRIVATE_KEY or PRIVATE_KEY_PATH/,
    );
  });

  it("refuses to start without the App's private key", () => {
    const { PRIVATE_KEY: _, ...rest } = valid;
    expect(() => loadSettings(rest)).toThrow(/PRIVATE_KEY or PRIVATE_KEY_PATH/);
  });

  it("accepts a key with escaped newlines, as container environments pass it", () => {
    const settings = loadSettings({ ...valid, PRIVATE_KEY: privateKey.replace(/\n/g, "\\n") });
    expect(settings.privateKey).toBe(privateKey);
  });
});
