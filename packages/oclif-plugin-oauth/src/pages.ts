/**
 * The small pages the loopback receiver serves. Self-contained: inline style only, no fonts, images
 * or scripts from elsewhere (the one relay script is inline and allowed by a per-response nonce).
 */

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}' +
  'h1{font-size:1.4rem}.ok{color:#1a7f37}.fail{color:#b42318}'

function page(o: {title: string; heading: string; message: string; tone: 'ok' | 'fail'; body?: string}): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(o.title)}</title><style>${STYLE}</style></head>`,
    `<body><h1 class="${o.tone}">${escapeHtml(o.heading)}</h1><p>${escapeHtml(o.message)}</p>${o.body ?? ''}</body></html>`,
  ].join('\n')
}

export function successPage(appName: string): string {
  return page({
    title: `${appName}: logged in`,
    heading: 'Authorization received',
    message: `You can close this tab and return to the terminal, where ${appName} finishes logging in.`,
    tone: 'ok',
  })
}

export function failurePage(appName: string, message: string): string {
  return page({
    title: `${appName}: login failed`,
    heading: 'Login did not complete',
    message: `${message} Return to the terminal for details.`,
    tone: 'fail',
  })
}

export function wrongStatePage(appName: string): string {
  return page({
    title: `${appName}: unexpected callback`,
    heading: 'This link does not belong to the current login',
    message:
      'Its state does not match the login that is waiting in the terminal, so it was ignored. ' +
      'Use the link the terminal printed for this attempt.',
    tone: 'fail',
  })
}

export function notFoundPage(): string {
  return page({title: 'Not found', heading: 'Not found', message: 'Nothing is served here.', tone: 'fail'})
}

/**
 * Implicit grant only: the token arrives in the URL fragment, which browsers never send to a server,
 * so this page posts the fragment to the receiver and shows the receiver's answer in its place.
 */
export function fragmentRelayPage(appName: string, nonce: string): string {
  const script =
    "var f=location.hash.slice(1);history.replaceState(null,'',location.pathname);" +
    "fetch('/callback/fragment',{method:'POST',headers:{'content-type':'application/x-www-form-urlencoded'},body:f})" +
    '.then(function(r){return r.text()}).then(function(t){document.open();document.write(t);document.close()})'
  return page({
    title: `${appName}: finishing login`,
    heading: 'Finishing login',
    message: 'Passing the authorization to the terminal.',
    tone: 'ok',
    body: `<script nonce="${escapeHtml(nonce)}">${script}</script>`,
  })
}
