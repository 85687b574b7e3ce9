import { type Html, html } from "./html.js";

export interface Viewer {
  login: string;
  /** The session's form token, for the sign-out form. */
  formToken: string;
}

/** The page around every view: one stylesheet, one small script, the header with who is signed in. */
export function layout(title: string, body: Html, viewer?: Viewer): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Flotilla</title>
<link rel="stylesheet" href="/fleet/assets/fleet.css">
<script src="/fleet/assets/fleet.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="/fleet">Flotilla fleet</a>
  ${
    viewer
      ? html`<form class="who" method="post" action="/fleet/sign-out">
    <span>Signed in as <strong>@${viewer.login}</strong></span>
    <input type="hidden" name="token" value="${viewer.formToken}">
    <button type="submit" class="link">Sign out</button>
  </form>`
      : ""
  }
</header>
<main id="main">
${body}
</main>
</body>
</html>
`.text;
}

/** A page that only says something: a sign-in that failed, a task that is not there. */
export function messagePage(title: string, message: string, viewer?: Viewer): string {
  return layout(
    title,
    html`<h1>${title}</h1>
<p>${message}</p>
<p><a href="/fleet">Back to the fleet</a></p>`,
    viewer,
  );
}

export function signInPage(signInUrl: string, problem?: string): string {
  return layout(
    "Sign in",
    html`<h1>Flotilla fleet</h1>
${problem ? html`<p class="problem" role="alert">${problem}</p>` : ""}
<p>Every agent at work in the repositories you can access on GitHub: what they do, what it costs, and what CI and the judge think of it.</p>
<p><a class="button" href="${signInUrl}">Sign in with GitHub</a></p>`,
  );
}
