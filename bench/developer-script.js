// The script a developer might write instead of weeknotes, for `npm run bench -- --latency` to time
// beside it: refresh the token, page through one week's activities until an empty page, fill a string
// template. Global fetch (keep-alive, HTTP/1.1), one request after another.
const {STRAVA_OAUTH_URL, STRAVA_API_URL, STRAVA_CLIENT_ID, STRAVA_CLIENT_SECRET, STRAVA_REFRESH_TOKEN} = process.env
const [after, before] = [Date.UTC(2024, 2, 4) / 1000, Date.UTC(2024, 2, 11) / 1000]

const refresh = await fetch(`${STRAVA_OAUTH_URL}/token`, {
  method: 'POST',
  body: new URLSearchParams({
    client_id: STRAVA_CLIENT_ID,
    client_secret: STRAVA_CLIENT_SECRET,
    grant_type: 'refresh_token',
    refresh_token: STRAVA_REFRESH_TOKEN,
  }),
})
const {access_token: token} = await refresh.json()
const activities = []
for (let page = 1; ; page++) {
  const url = `${STRAVA_API_URL}/athlete/activities?after=${after}&before=${before}&page=${page}&per_page=200`
  const batch = await (await fetch(url, {headers: {authorization: `Bearer ${token}`}})).json()
  if (batch.length === 0) break
  activities.push(...batch)
}
const km = activities.reduce((sum, a) => sum + a.distance, 0) / 1000
const lines = activities.map(
  (a) => `- ${a.start_date_local.slice(0, 10)} ${a.name}: ${(a.distance / 1000).toFixed(1)} km`,
)
process.stdout.write(`# Week 10, 2024\n\n${activities.length} activities, ${km.toFixed(1)} km\n\n${lines.join('\n')}\n`)
