// The built CLI (`node bin/run.js generate`) against the emulator in CI mode (STRAVA_* in the
// environment, nothing stored), from an isolated home: outputs, overwrite rules, backfill, exit codes.
import assert from 'node:assert/strict'
import {mkdir, readdir, readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {beforeEach, test} from 'node:test'

import {cliEnvironment, runCli, runCliOnTerminal, terminalSkipReason} from '../support/cli.js'
import {plain, useCiModeCli} from '../support/ci-mode.js'
import {startStravaEmulator, type StravaEmulator} from 'strava-emulator'

const ci = useCiModeCli()
const {refreshTokens} = ci
/**
 * Each test replaces Strava's activities and starts from an empty archive of its own: these tests are
 * about what generate fetches and writes; test/archive/ covers what the archive saves later runs.
 */
beforeEach(() => ci.emulator.setActivities(ci.emulator.makeActivities(30, {weekStart: '2024-03-04'})))

const generate = async (args: string[], env = ci.env()) => {
  const result = await runCli(['generate', ...args], {env})
  return {...result, stderr: plain(result.stderr)}
}
const apiCalls = (on: StravaEmulator = ci.emulator) => on.requests.filter((r) => r.path.startsWith('/api/v3/'))
const listCalls = (on: StravaEmulator = ci.emulator) =>
  on.requests.filter((r) => r.path === '/api/v3/athlete/activities')

test('--week prints the note on stdout from one token call, one athlete call, ceil(n/200)+1 list calls and one detail call per activity', async () => {
  const result = await generate(['--week', '2024-W10'])
  assert.equal(result.code, 0, result.stderr)
  assert.match(result.stdout, /^---\ntitle: "Week 10, 2024: training notes"/)
  assert.match(result.stdout, /30 activities/)
  const paths = ci.emulator.requests.map((r) => r.path)
  assert.deepEqual(paths.slice(0, 4), [
    '/oauth/token',
    '/api/v3/athlete',
    '/api/v3/athlete/activities',
    '/api/v3/athlete/activities',
  ])
  // The default template shows descriptions and photos: GET /activities/{id} once for each activity.
  const details = paths.slice(4)
  assert.equal(details.length, 30)
  assert.equal(new Set(details).size, 30)
  assert.ok(details.every((path) => /^\/api\/v3\/activities\/\d+$/.test(path)))
  for (const secret of [...refreshTokens, ci.emulator.client.secret]) assert.ok(!result.stdout.includes(secret))
})

test('after June 2027 (new host, old one retired, tokens in headers only): the same note, every token in the header', async () => {
  await ci.emulator.setEndpoints({legacyApiHost: false, deauthorize: false, tokenParams: false})
  try {
    const result = await generate(['--week', '2024-W10'], {...ci.env(), STRAVA_API_URL: ci.emulator.nextApiUrl})
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /30 activities/)
    const api = ci.emulator.requests.filter((r) => r.path !== '/oauth/token')
    assert.deepEqual(
      api.slice(0, 3).map((r) => [r.host, r.path, r.authorization]),
      [
        ['next', '/athlete', 'Bearer'],
        ['next', '/athlete/activities', 'Bearer'],
        ['next', '/athlete/activities', 'Bearer'],
      ],
    )
    // Then the default template's detail reads, one per activity, on the new host too.
    const details = api.slice(3)
    assert.equal(details.length, 30)
    for (const r of details) assert.deepEqual([r.host, r.authorization], ['next', 'Bearer'], r.path)
    assert.ok(details.every((r) => /^\/activities\/\d+$/.test(r.path)))
    for (const request of ci.emulator.requests) assert.ok(!request.params.includes('access_token'), request.path)
  } finally {
    await ci.emulator.setEndpoints({legacyApiHost: true, deauthorize: true, tokenParams: true})
  }
})

test('--json prints the template context with exact string ids', async () => {
  ci.emulator.addActivities([
    {...ci.emulator.makeActivities(1, {weekStart: '2024-03-04'})[0], id: '18446744073709551557'},
  ])
  const result = await generate(['--week', '2024-10', '--json', '--units', 'imperial'])
  assert.equal(result.code, 0, result.stderr)
  const context = JSON.parse(result.stdout)
  assert.deepEqual(context.week, {id: '2024-W10', year: 2024, number: 10, start: '2024-03-04', end: '2024-03-10'})
  assert.equal(context.units, 'imperial')
  assert.equal(context.totals.count, 31)
  assert.ok(context.activities.some((a: {id: string}) => a.id === '18446744073709551557'))
  assert.ok(context.activities.every((a: {id: unknown}) => typeof a.id === 'string'))
})

test('--output writes the file and nothing on stdout; an existing file is refused (exit 2) until --force', async () => {
  const file = join(ci.home.root, 'notes', 'week.md')
  const first = await generate(['--week', '2024-W10', '--output', file])
  assert.equal(first.code, 0, first.stderr)
  assert.equal(first.stdout, '')
  assert.match(await readFile(file, 'utf8'), /30 activities/)

  await writeFile(file, 'my own edits\n')
  ci.emulator.clearRequests()
  const refused = await generate(['--week', '2024-W10', '--output', file])
  assert.equal(refused.code, 2)
  assert.match(refused.stderr, /already exists/)
  assert.match(refused.stderr, /--force/)
  assert.equal(await readFile(file, 'utf8'), 'my own edits\n')
  assert.equal(listCalls().length, 0, 'no API call spent on a refused run')

  const forced = await generate(['--week', '2024-W10', '--output', file, '--force'])
  assert.equal(forced.code, 0, forced.stderr)
  assert.match(await readFile(file, 'utf8'), /30 activities/)
})

test('--out-dir with --filename builds the path from the week; --output and --out-dir exclude each other', async () => {
  const dir = join(ci.home.root, 'content')
  const result = await generate([
    '--week',
    '2024-03-06',
    '--out-dir',
    dir,
    '--filename',
    '{{week.year}}/{{week.id}}.md',
  ])
  assert.equal(result.code, 0, result.stderr)
  assert.match(await readFile(join(dir, '2024', '2024-W10.md'), 'utf8'), /30 activities/)

  const both = await generate(['--week', '2024-W10', '--out-dir', dir, '--output', join(dir, 'x.md')])
  assert.equal(both.code, 2)
})

test('invalid weeks exit 2 listing the accepted forms, before any request', async () => {
  for (const week of ['2024-W60', '2024-00', 'foo']) {
    const result = await generate(['--week', week])
    assert.equal(result.code, 2, `${week}: ${result.stderr}`)
    assert.match(result.stderr, /2024-W10/)
  }

  const range = await generate(['--from', '2024-W05', '--to', '2024-W01', '--out-dir', ci.home.root])
  assert.equal(range.code, 2)
  const noDir = await generate(['--from', '2024-W01', '--to', '2024-W05'])
  assert.equal(noDir.code, 2)
  assert.match(noDir.stderr, /--out-dir/)
  const badWait = await generate(['--week', '2024-W10', '--max-wait', 'soon'])
  assert.equal(badWait.code, 2)
  assert.match(
    badWait.stderr.replace(/\s*\n\s*(›\s*)?/g, ' '),
    /^ Error: --max-wait "soon" is not a duration; use seconds or a unit, e.g. 0, 90s, 15m. $/,
  )
  assert.equal(ci.emulator.requests.length, 0)
})

/** 45 activities in each week from 2024-W01 to 2024-W10: 450 in all. */
function tenWeeks(on: StravaEmulator) {
  on.setActivities(
    Array.from({length: 10}, (_v, i) =>
      on.makeActivities(45, {weekStart: new Date(Date.UTC(2024, 0, 1 + 7 * i)).toISOString().slice(0, 10)}),
    ).flat(),
  )
}

test('backfill writes one note per week from one fetch, then skips existing notes unless --force', async () => {
  tenWeeks(ci.emulator)
  const dir = join(ci.home.root, 'backfill')
  const result = await generate(['--from', '2024-W01', '--to', '2024-W10', '--out-dir', dir])
  assert.equal(result.code, 0, result.stderr)
  const files = (await readdir(dir)).sort()
  assert.deepEqual(
    files,
    Array.from({length: 10}, (_v, i) => `2024-W${String(i + 1).padStart(2, '0')}.md`),
  )
  for (const file of files) assert.match(await readFile(join(dir, file), 'utf8'), /45 activities/)
  assert.equal(listCalls().length, Math.ceil(450 / 200) + 1)
  assert.match(result.stderr, /Wrote 10 notes/)

  ci.emulator.clearRequests()
  await writeFile(join(dir, '2024-W03.md'), 'kept\n')
  const again = await generate(['--from', '2024-W01', '--to', '2024-W10', '--out-dir', dir])
  assert.equal(again.code, 0, again.stderr)
  assert.match(again.stderr, /Skipped 10/)
  assert.equal(apiCalls().length, 0, 'nothing to write, nothing fetched')
  assert.equal(await readFile(join(dir, '2024-W03.md'), 'utf8'), 'kept\n')

  const forced = await generate(['--from', '2024-W03', '--to', '2024-W03', '--out-dir', dir, '--force', '--json'])
  assert.equal(forced.code, 0, forced.stderr)
  assert.deepEqual(JSON.parse(forced.stdout), {
    written: [{week: '2024-W03', path: join(dir, '2024-W03.md')}],
    skipped: [],
  })
  assert.match(await readFile(join(dir, '2024-W03.md'), 'utf8'), /45 activities/)
})

test('a rate limit mid-backfill keeps the notes written and names the week to resume from', async () => {
  // A frozen emulator clock keeps the 15-minute window from rolling over during the test.
  const frozen = Date.now()
  const limited = await startStravaEmulator({seed: 'empty', now: () => frozen})
  try {
    tenWeeks(limited)
    // Three reads: the athlete and two pages of 200, then 429. A template without descriptions, so the
    // list is all there is to read.
    limited.setRateLimits({read: [3, 1000]})
    const dir = join(ci.home.root, 'limited')
    const template = join(ci.home.root, 'counts.md.hbs')
    await writeFile(template, '{{week.id}}: {{totals.count}} activities\n')
    const result = await generate(
      ['--from', '2024-W01', '--to', '2024-W10', '--out-dir', dir, '--max-wait', '0', '--template', template],
      ci.env({}, limited),
    )
    assert.equal(result.code, 4, result.stderr)
    assert.match(result.stderr, /15-minute rate limit/)
    // Pages 1-2 hold the 400 oldest activities: W01-W08 complete, W09 partly.
    assert.match(result.stderr, /8 notes were written up to 2024-W08; resume with --from 2024-W09/)
    // The suggested command repeats the run's own flags (--max-wait here) with the range moved on.
    assert.match(
      result.stderr,
      /Resume with: weeknotes generate --out-dir \S+ --max-wait 0 --template \S+ --from 2024-W09 --to 2024-W10/,
    )
    assert.deepEqual(
      (await readdir(dir)).sort(),
      Array.from({length: 8}, (_v, i) => `2024-W0${i + 1}.md`),
    )
    assert.deepEqual(
      listCalls(limited).map((r) => r.status),
      [200, 200, 429],
    )

    limited.setRateLimits({read: [100, 1000]})
    const resumed = await generate(
      ['--from', '2024-W09', '--to', '2024-W10', '--out-dir', dir, '--template', template],
      ci.env({}, limited),
    )
    assert.equal(resumed.code, 0, resumed.stderr)
    assert.equal((await readdir(dir)).length, 10)
  } finally {
    await limited.close()
  }
})

test('exit codes: 3 inactive app, 4 daily limit, 5 Strava down, 3 not logged in', async () => {
  ci.emulator.inject({kind: 'inactive', match: '/api/v3/'})
  const inactive = await generate(['--week', '2024-W10'])
  assert.equal(inactive.code, 3)
  assert.match(inactive.stderr, /inactive.*subscription/s)

  ci.emulator.inject({kind: 'rateLimited', window: 'daily', match: '/api/v3/athlete/activities'})
  const daily = await generate(['--week', '2024-W10'])
  assert.equal(daily.code, 4)
  assert.match(daily.stderr, /daily rate limit.*00:00 UTC/s)

  ci.emulator.inject({kind: 'status', status: 503, times: 4, match: '/api/v3/athlete/activities'})
  const down = await generate(['--week', '2024-W10'])
  assert.equal(down.code, 5)
  assert.match(down.stderr, /Strava did not answer after 4 attempts/)

  const anonymous = await runCli(['generate', '--week', '2024-W10'], {
    env: cliEnvironment(ci.home, {STRAVA_API_URL: ci.emulator.apiUrl}),
  })
  assert.equal(anonymous.code, 3)
  assert.match(anonymous.stderr, /weeknotes auth/)
})

test('--verbose lists each request with status and usage, never a token or secret', async () => {
  const env = ci.env()
  const result = await generate(['--week', '2024-W10', '--verbose', '--output', join(ci.home.root, 'v.md')], env)
  assert.equal(result.code, 0, result.stderr)
  assert.match(result.stderr, /GET \/athlete 200 \(rate limit 15min \d+\/100000/)
  assert.match(result.stderr, /GET \/athlete\/activities\?after=\d+&before=\d+&page=2&per_page=200 200/)
  for (const secret of [env.STRAVA_REFRESH_TOKEN!, ci.emulator.client.secret])
    assert.ok(!result.stderr.includes(secret))
  assert.ok(!/bearer/i.test(result.stderr))
})

test('a broken template exits 2 naming the file, before any request and before asking for a login', async () => {
  const template = join(ci.home.root, 'broken.hbs')
  await mkdir(ci.home.root, {recursive: true})
  await writeFile(template, '# {{week.id}\n')
  const result = await generate(['--week', '2024-W10', '--template', template])
  assert.equal(result.code, 2, result.stderr)
  assert.match(result.stderr, /broken\.hbs/)
  assert.deepEqual(ci.emulator.requests, [])

  const notLoggedIn = cliEnvironment(ci.home, {
    STRAVA_API_URL: ci.emulator.apiUrl,
    STRAVA_OAUTH_URL: ci.emulator.oauthUrl,
  })
  const withoutLogin = await generate(['--week', '2024-W10', '--template', template], notLoggedIn)
  assert.equal(withoutLogin.code, 2, withoutLogin.stderr)
  assert.match(withoutLogin.stderr, /broken\.hbs/)
})

test('on a terminal, backfill shows which week it is writing', {skip: terminalSkipReason}, async () => {
  ci.emulator.setActivities([])
  const dir = join(ci.home.root, 'tty')
  const result = await runCliOnTerminal(
    ['generate', '--from', '2024-W01', '--to', '2024-W03', '--out-dir', dir],
    ci.env(),
  )
  assert.equal(result.code, 0, result.output)
  for (const [index, week] of ['2024-W01', '2024-W02', '2024-W03'].entries()) {
    assert.match(result.output, new RegExp(`Writing ${week} \\(${index + 1}/3\\)`))
  }

  assert.match(result.output, /Wrote 3 notes/)
})
