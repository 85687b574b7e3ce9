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
      judgeConcurrency: 2,
      remoteJudgeConcurrency: 16,
    });
  });

  it("takes the judges' two concurrencies, and refuses one out of range", () => {
    const set = { ...valid, JUDGE_CONCURRENCY: "1", REMOTE_JUDGE_CONCURRENCY: "40" };
    expect(loadSettings(set)).toMatchObject({ judgeConcurrency: 1, remoteJudgeConcurrency: 40 });
    expect(() => loadSettings({ ...valid, REMOTE_JUDGE_CONCURRENCY: "0" })).toThrow(
      /REMOTE_JUDGE_CONCURRENCY/,
    );
  });

  it("refuses to start without a webhook secret, and says which variable to set", () => {
    const { WEBHOOK_SECRET: _, ...rest } = valid;
    expect(() => loadSettings(rest)).toThrow(/WEBHOOK_SECRET is required/);
  });

  it("turns the fleet dashboard on only with its sign-in settings, and names what a half-done setup lacks", () => {
    expect(loadSettings(valid).dashboard).toBeUndefined();
    const signIn = {
      GITHUB_CLIENT_ID: "Iv1.abc",
      GITHUB_CLIENT_SECRET: "s3cret",
      FLOTILLA_PUBLIC_URL: "https://flotilla.example.com/",
    };
    expect(loadSettings({ ...valid, ...signIn }).dashboard).toEqual({
      clientId: "Iv1.abc",
      clientSecret: "s3cret",
      publicUrl: "https://flotilla.example.com",
      webUrl: "https://github.com",
    });
    expect(() => loadSettings({ ...valid, GITHUB_CLIENT_ID: "Iv1.abc" })).toThrow(
      /GITHUB_CLIENT_SECRET is required for the fleet dashboard[\s\S]*FLOTILLA_PUBLIC_URL is required/,
    );
  });

  it("signs people in on GitHub's web side of the API it is given: github.com, an Enterprise Server, or the sandbox", () => {
    const webOf = (api: string) =>
      loadSettings({
        ...valid,
        GITHUB_API_URL: api,
        GITHUB_CLIENT_ID: "Iv1.abc",
        GITHUB_CLIENT_SECRET: "s3cret",
        FLOTILLA_PUBLIC_URL: "http://localhost:3000",
      }).dashboard?.webUrl;
    expect(webOf("https://api.github.com")).toBe("https://github.com");
    expect(webOf("https://ghe.example.com/api/v3")).toBe("https://ghe.example.com");
    expect(webOf("http://127.0.0.1:3700")).toBe("http://127.0.0.1:3700");
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
