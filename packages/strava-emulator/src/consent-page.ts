// Strava's consent screen, reduced to what a browser test needs: one ticked checkbox per requested
// scope (ids `scope-<scope>`), and the buttons `#authorize` and `#cancel`. Self-contained: no scripts,
// no external resources, every value HTML-escaped.
import {escapeHtml} from './http.js'

const scopeDescriptions: Record<string, string> = {
  read: 'View data about your public profile, segments and routes',
  read_all: 'View data about your private routes, segments and events',
  'profile:read_all': 'View your complete Strava profile',
  'profile:write': 'Update your weight, FTP and connected gear',
  'activity:read': 'View data about your activities visible to Everyone and Followers',
  'activity:read_all': 'View data about your private activities and privacy zones',
  'activity:write': 'Upload activities and edit activities',
}

export interface ConsentPageInput {
  appName: string
  athleteName: string
  /** The original authorization parameters, posted back unchanged with the decision. */
  hidden: Record<string, string>
  scopes: string[]
}

export function consentPage({appName, athleteName, hidden, scopes}: ConsentPageInput): string {
  const fields = Object.entries(hidden)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n      ')
  const boxes = scopes
    .map((scope) => {
      const id = escapeHtml(`scope-${scope}`)
      const text = escapeHtml(scopeDescriptions[scope] ?? scope)
      return `<li><label><input type="checkbox" id="${id}" name="${id}" checked> ${text} <code>${escapeHtml(scope)}</code></label></li>`
    })
    .join('\n        ')
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>Authorize ${escapeHtml(appName)} | Strava emulator</title>
    <style>
      body { font-family: sans-serif; max-width: 36rem; margin: 3rem auto; color: #242428; }
      h1 { color: #fc4c02; font-size: 1.4rem; }
      ul { list-style: none; padding: 0; } li { margin: 0.5rem 0; }
      button { font-size: 1rem; padding: 0.5rem 1.5rem; margin-right: 1rem; }
      #authorize { background: #fc4c02; color: white; border: none; }
    </style>
  </head>
  <body>
    <h1>Authorize ${escapeHtml(appName)} to connect to Strava</h1>
    <p>Signed in as ${escapeHtml(athleteName)}. This is a local Strava emulator for tests and demos.</p>
    <form method="post" action="/oauth/authorize">
      ${fields}
      <ul>
        ${boxes}
      </ul>
      <button type="submit" id="authorize" name="decision" value="authorize">Authorize</button>
      <button type="submit" id="cancel" name="decision" value="cancel">Cancel</button>
    </form>
  </body>
</html>
`
}
