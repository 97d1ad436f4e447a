import assert from 'node:assert/strict'
import {join} from 'node:path'
import {test} from 'node:test'

import {resumeCommand} from '../../src/commands/generate.js'
import {
  BackfillInterruptedError,
  generateWeeks,
  type GenerateCollaborators,
  type GenerateWeeksRequest,
  type NoteSources,
} from '../../src/notes/generate-weeks.js'
import {checkOneNotePerFile, renderFilename} from '../../src/notes/note-files.js'
import type {DigestContext} from '../../src/notes/digest.js'
import type {CostlyField} from '../../src/notes/template-uses.js'
import {fetchWindow, parseWeek, weeksInRange, type WeekRange} from '../../src/notes/week.js'
import {RateLimitError} from '../../src/strava/errors.js'
import type {ListActivitiesOptions} from '../../src/strava/client.js'
import type {SummaryActivity} from '../../src/strava/types.js'

const today = new Date('2024-06-01T12:00:00Z')
const athlete = {id: 1, firstname: 'Ada', lastname: 'Runner', measurement_preference: 'meters'}

/** A run starting at a UTC moment, in UTC (so local = UTC). */
function run(id: string, utc: string): SummaryActivity {
  return {
    id: Number(id),
    id_str: id,
    name: `Run ${id}`,
    sport_type: 'Run',
    start_date: `${utc}Z`,
    start_date_local: `${utc}Z`,
    distance: 5000,
    moving_time: 1500,
    elapsed_time: 1600,
    total_elevation_gain: 20,
  }
}

const activities = [
  run('11', '2024-01-02T07:00:00'), // W01
  run('12', '2024-01-10T07:00:00'), // W02
  run('13', '2024-01-17T07:00:00'), // W03
  run('14', '2024-01-24T07:00:00'), // W04
]

/** Fakes at the edges: files in a Map, an activity source serving `activities` in pages of two, optionally failing after some. */
function collaborators(options: {failAfterPages?: number; existing?: string[]} = {}) {
  const files = new Map<string, string>((options.existing ?? []).map((path) => [path, 'old']))
  const calls = {list: [] as ListActivitiesOptions[], athlete: 0, writes: [] as string[]}
  const sources: NoteSources = {
    async athlete() {
      calls.athlete++
      return athlete
    },
    activities: {
      async listActivities(o) {
        calls.list.push(o)
        const inWindow = activities.filter((a) => {
          const start = Date.parse(a.start_date) / 1000
          return start > o.after && start < o.before
        })
        const all: SummaryActivity[] = []
        for (let page = 1; (page - 1) * 2 < inWindow.length; page++) {
          if (options.failAfterPages !== undefined && page > options.failAfterPages) {
            throw new RateLimitError('Rate limit.', 'daily', new Date('2024-06-02T00:00:00Z'))
          }

          const batch = inWindow.slice((page - 1) * 2, page * 2)
          all.push(...batch)
          o.onPage?.(page, all.length, batch)
        }

        return all
      },
    },
  }
  const c: GenerateCollaborators = {
    openSources: async () => sources,
    loadRenderer: async () => (context: DigestContext) =>
      `# ${context.week.id}: ${context.activities.map((a) => a.id).join(',')}\n`,
    async writeFile(path, content, {force}) {
      if (files.has(path) && !force) throw Object.assign(new Error(`${path} exists`), {exitCode: 2})
      calls.writes.push(path)
      files.set(path, content)
    },
    fileExists: async (path) => files.has(path),
  }
  return {c, sources, files, calls}
}

const generatedAt = new Date('2024-06-01T12:00:00Z')

/** A backfill of `weeks` into out/{{week.id}}.md, as the command asks for one. */
const backfill = (weeks: WeekRange[], more: Partial<GenerateWeeksRequest> = {}): GenerateWeeksRequest => ({
  weeks,
  destination: {kind: 'dir', dir: 'out', filename: '{{week.id}}.md'},
  force: false,
  generatedAt,
  ...more,
})

/** The error a run stopped with. */
const stopped = (run: Promise<unknown>) =>
  run.then(
    () => assert.fail('should stop'),
    (error: unknown) => error,
  )

test('one week printed: one fetch over the padded window, the athlete asked once beside it', async () => {
  const {c, calls} = collaborators()
  const week = parseWeek('2024-W02', today)
  const [note] = await generateWeeks({weeks: [week], destination: {kind: 'print'}, force: false, generatedAt}, c)
  assert.equal(note.markdown, '# 2024-W02: 12\n')
  assert.equal(calls.list.length, 1)
  assert.deepEqual({after: calls.list[0].after, before: calls.list[0].before}, fetchWindow(week, week))
  assert.equal(calls.athlete, 1)
  assert.equal(note.context?.units, 'metric')

  const filtered = await generateWeeks(
    {weeks: [week], destination: {kind: 'print'}, excludeSportTypes: ['run'], force: false, generatedAt},
    c,
  )
  assert.equal(filtered[0].context?.totals.count, 0, '--exclude-sport reaches the digest')
})

test('--json prints the context: the template is compiled (bad input is still caught) but never rendered', async () => {
  const {c, calls} = collaborators()
  let compiled = 0
  c.loadRenderer = async () => {
    compiled++
    return () => assert.fail('--json renders no Markdown')
  }
  const [note] = await generateWeeks(
    {
      weeks: [parseWeek('2024-W01', today)],
      destination: {kind: 'print'},
      json: true,
      units: 'imperial',
      force: false,
      generatedAt,
    },
    c,
  )
  assert.equal(compiled, 1)
  assert.equal(note.markdown, undefined)
  assert.equal(calls.athlete, 1)
  assert.equal(note.context?.units, 'imperial')
  assert.deepEqual(
    note.context?.activities.map((a) => a.id),
    ['11'],
  )
})

test('a range of weeks needs --out-dir: refused before the template or any source is opened', async () => {
  const weeks = weeksInRange(parseWeek('2024-W01', today), parseWeek('2024-W02', today))
  const {c} = collaborators()
  let opened = 0
  c.loadRenderer = async () => assert.fail('no template for a refused request')
  c.openSources = async () => (opened++, assert.fail('no login for a refused request'))
  for (const destination of [{kind: 'print'}, {kind: 'file', path: 'note.md'}] as const) {
    await assert.rejects(
      generateWeeks({weeks, destination, force: false, generatedAt}, c),
      (error: Error & {exitCode?: number}) =>
        error.exitCode === 2 && error.message === 'A range of weeks writes one note per week: add --out-dir DIR.',
    )
  }

  assert.equal(opened, 0)
  assert.doesNotThrow(() => checkOneNotePerFile(weeks, {kind: 'dir', dir: 'd', filename: '{{week.id}}.md'}))
  assert.doesNotThrow(() => checkOneNotePerFile(weeks.slice(0, 1), {kind: 'print'}))
})

test('a range writes one note per week from a single fetch, skipping existing files unless --force', async () => {
  const weeks = weeksInRange(parseWeek('2024-W01', today), parseWeek('2024-W05', today))
  const existing = join('out', '2024-W03.md')
  const {c, files, calls} = collaborators({existing: [existing]})
  const outcomes = await generateWeeks(
    {
      weeks,
      destination: {kind: 'dir', dir: 'out', filename: '{{week.year}}-W{{week.number}}.md'},
      force: false,
      generatedAt,
    },
    c,
  )
  // The filename template sees the week: 2024-W1.md, not the padded id.
  assert.deepEqual(
    calls.writes,
    ['2024-W1.md', '2024-W2.md', '2024-W3.md', '2024-W4.md', '2024-W5.md'].map((f) => join('out', f)),
  )
  assert.equal(calls.list.length, 1)
  assert.equal(files.get(join('out', '2024-W4.md')), '# 2024-W04: 14\n')
  assert.equal(files.get(join('out', '2024-W5.md')), '# 2024-W05: \n')
  assert.equal(outcomes.length, 5)

  const again = collaborators({existing: weeks.map((w) => join('out', `${w.id}.md`)).slice(0, 2)})
  const second = await generateWeeks(backfill(weeks), again.c)
  assert.deepEqual(
    second.filter((n) => n.status === 'skipped').map((n) => n.week),
    ['2024-W01', '2024-W02'],
  )
  assert.equal(again.files.get(join('out', '2024-W01.md')), 'old')
  // Only the weeks still to write are fetched.
  assert.deepEqual(
    {after: again.calls.list[0].after, before: again.calls.list[0].before},
    fetchWindow(weeks[2], weeks[4]),
  )

  const forced = collaborators({existing: [join('out', '2024-W01.md')]})
  await generateWeeks(backfill(weeks, {force: true}), forced.c)
  assert.equal(forced.files.get(join('out', '2024-W01.md')), '# 2024-W01: 11\n')
})

test('nothing to write means no API call at all', async () => {
  const weeks = weeksInRange(parseWeek('2024-W01', today), parseWeek('2024-W02', today))
  const {c, calls} = collaborators({existing: [join('d', '2024-W01.md'), join('d', '2024-W02.md')]})
  const outcomes = await generateWeeks(
    {weeks, destination: {kind: 'dir', dir: 'd', filename: '{{week.id}}.md'}, force: false, generatedAt},
    c,
  )
  assert.deepEqual(
    outcomes.map((n) => n.status),
    ['skipped', 'skipped'],
  )
  assert.deepEqual({list: calls.list.length, athlete: calls.athlete}, {list: 0, athlete: 0})
})

test('a rate limit mid-backfill keeps the weeks the pages fully covered and names the resume week', async () => {
  const weeks = weeksInRange(parseWeek('2024-W01', today), parseWeek('2024-W05', today))
  const {c, files} = collaborators({failAfterPages: 1})
  const argv = ['--from=2024-W01', '--to', '2024-W05', '--out-dir', 'out', '--filename', '{{week.id}}.md']
  const error = await stopped(generateWeeks(backfill(weeks), c))
  assert.ok(error instanceof BackfillInterruptedError)
  assert.equal(error.exitCode, 4)
  // Page 1 held W01 and W02; the last start (W02 Wednesday) proves W01 complete, not W02.
  assert.deepEqual([...files.keys()], [join('out', '2024-W01.md')])
  assert.equal(error.resumeFrom.id, '2024-W02')
  assert.equal(error.lastWeek.id, '2024-W05')
  assert.match(error.message, /^Rate limit\. 1 note was written up to 2024-W01; resume with --from 2024-W02\.$/)
  // The command adds the resume command: it repeats the user's other flags (here --filename), so it writes
  // where the run did.
  assert.equal(
    resumeCommand(argv, error.resumeFrom, error.lastWeek),
    "weeknotes generate --out-dir out --filename '{{week.id}}.md' --from 2024-W02 --to 2024-W05",
  )
})

test('a write failing mid-backfill (disk full) keeps the notes before it and resumes at the failed week', async () => {
  const weeks = weeksInRange(parseWeek('2024-W01', today), parseWeek('2024-W04', today))
  const {c, files} = collaborators()
  const write = c.writeFile
  c.writeFile = async (path, content, options) => {
    if (path.endsWith('2024-W03.md')) throw Object.assign(new Error('The disk is full.'), {code: 'ENOSPC'})
    return write(path, content, options)
  }
  const error = await stopped(generateWeeks(backfill(weeks), c))
  assert.ok(error instanceof BackfillInterruptedError)
  // A full disk is the machine's problem, not a bug: the local I/O code and a sentence saying what to do.
  assert.equal(error.exitCode, 6)
  assert.match(
    error.message,
    /^There is no space left on the disk .* Free some space and run again\. 2 notes were written/,
  )
  assert.deepEqual([...files.keys()], [join('out', '2024-W01.md'), join('out', '2024-W02.md')])
  assert.equal(error.resumeFrom.id, '2024-W03')
})

test('the resume command keeps every other flag, quoted for a shell, and replaces the range', () => {
  const [from, to] = [parseWeek('2024-W09', today), parseWeek('2024-W10', today)]
  assert.equal(
    resumeCommand(['--from', '2024-W01', '--out-dir', 'my notes', '--template', "it's.hbs", '--force'], from, to),
    "weeknotes generate --out-dir 'my notes' --template 'it'\\''s.hbs' --force --from 2024-W09 --to 2024-W10",
  )
})

test('refuses an existing --output before spending any API call; bad --filename exits 2', async () => {
  const {c, calls} = collaborators({existing: ['note.md']})
  const week = parseWeek('2024-W01', today)
  await assert.rejects(
    generateWeeks({weeks: [week], destination: {kind: 'file', path: 'note.md'}, force: false, generatedAt}, c),
    (error: Error & {exitCode?: number}) => error.exitCode === 2 && /note\.md already exists/.test(error.message),
  )
  assert.equal(calls.list.length, 0)

  const weeks = weeksInRange(week, parseWeek('2024-W02', today))
  await assert.rejects(
    generateWeeks({weeks, destination: {kind: 'dir', dir: 'd', filename: 'note.md'}, force: false, generatedAt}, c),
    (error: Error & {exitCode?: number}) => error.exitCode === 2 && /same file name/.test(error.message),
  )
  assert.throws(() => renderFilename('{{week.nope}}.md', {week}), /not a value/)
  assert.equal(renderFilename('{{ week.start }}-{{week.id}}.md', {week}), '2024-01-01-2024-W01.md')
})

test('a backfill stopped after a page served out of order writes no week: none is proven complete', async () => {
  const weeks = weeksInRange(parseWeek('2024-W01', today), parseWeek('2024-W04', today))
  const {c, sources, files} = collaborators()
  sources.activities.listActivities = async (o) => {
    // Newest first, as a server ignoring `after`'s oldest-first order answers; then the run stops.
    o.onPage?.(1, 2, [activities[2], activities[0]])
    throw new RateLimitError('Rate limit.', 'daily', new Date('2024-06-02T00:00:00Z'))
  }
  const error = await stopped(generateWeeks(backfill(weeks), c))
  assert.ok(error instanceof BackfillInterruptedError)
  assert.deepEqual([...files.keys()], [], 'W02 would be an empty note though its activity may be on page 2')
  assert.equal(error.resumeFrom.id, '2024-W01')
})

test('--filename stays inside --out-dir and resolves only the context’s own values', () => {
  const week = parseWeek('2024-W01', today)
  for (const bad of [
    '../{{week.id}}.md',
    '{{week.id}}/../../x.md',
    '/etc/{{week.id}}',
    '',
    ' ',
    '.',
    '..',
    'a//b.md',
  ]) {
    assert.throws(
      () => renderFilename(bad, {week}),
      (error: Error & {exitCode?: number}) =>
        error.exitCode === 2 && /not a file name inside --out-dir/.test(error.message),
      JSON.stringify(bad),
    )
  }

  for (const inherited of [
    '{{week.constructor.name}}',
    '{{week.__proto__}}',
    '{{week.toString}}',
    '{{week.id.length}}',
  ]) {
    assert.throws(() => renderFilename(inherited, {week}), /not a value of the note's context/, inherited)
  }

  assert.equal(renderFilename('{{week.year}}/{{week.id}}.md', {week}), '2024/2024-W01.md')
})

/** A renderer that says it uses `uses`, as loadTemplate's does after reading a template's syntax tree. */
const rendererUsing = (uses: CostlyField[], render = (context: DigestContext) => JSON.stringify(context)) =>
  Object.assign(render, {uses})

test('details are read only when the template uses them, once per activity the note shows', async () => {
  const {c, sources} = collaborators()
  const detailCalls: string[] = []
  // Asked for the activities each note shows; one deleted since it was listed (13) has no details.
  sources.details = async (shown) => {
    const ids = shown.map((a) => a.id_str!)
    detailCalls.push(...ids)
    const found = shown.filter((a) => a.id_str !== '13')
    return new Map(found.map((a) => [a.id_str!, {...a, description: `About ${a.id_str}.`}]))
  }
  const weeks = weeksInRange(parseWeek('2024-W01', today), parseWeek('2024-W03', today))
  const print = (week: WeekRange) => ({
    weeks: [week],
    destination: {kind: 'print'} as const,
    force: false,
    generatedAt,
  })

  c.loadRenderer = async () => rendererUsing([])
  await generateWeeks(print(weeks[0]), c)
  assert.deepEqual(detailCalls, [], 'a template without description, photoUrl or privateNote costs no detail call')

  c.loadRenderer = async () => rendererUsing(['description'])
  const [note] = await generateWeeks(print(weeks[1]), c)
  assert.deepEqual(detailCalls, ['12'])
  assert.equal(note.context?.activities[0].description, 'About 12.')

  // An activity the source has no details for (deleted since it was listed) is shown without; the note is still written.
  const [gone] = await generateWeeks(print(weeks[2]), c)
  assert.deepEqual(detailCalls, ['12', '13'])
  assert.equal('description' in gone.context!.activities[0], false)

  detailCalls.length = 0
  await generateWeeks(backfill(weeks, {force: true}), c)
  assert.deepEqual(detailCalls, ['11', '12', '13'], 'a backfill: each activity asked for once, in order')

  detailCalls.length = 0
  await generateWeeks(print(weeks[0]), {
    ...c,
    openSources: async () => ({
      ...sources,
      details: async (shown) => new Map(shown.map((a) => [a.id_str!, {...a, description: 'Kept.'}])),
    }),
  })
  assert.deepEqual(detailCalls, [], 'the detail source the sources bring is the one asked')
})

test('comparisons widen the one fetch back four weeks, or to 1 January when that is earlier', async () => {
  const {c, calls} = collaborators()
  const week = parseWeek('2024-W04', today)
  c.loadRenderer = async () => rendererUsing(['previousWeek'])
  const [note] = await generateWeeks({weeks: [week], destination: {kind: 'print'}, force: false, generatedAt}, c)
  assert.equal(calls.list.length, 1)
  // Four weeks before 22 January is 25 December, earlier than 1 January.
  assert.equal(calls.list[0].after, fetchWindow({...week, start: '2023-12-25'}, week).after)
  assert.equal(note.context?.previousWeek?.count, 1)
  assert.equal(note.context?.yearToDate?.totals.count, 4)
  assert.deepEqual(
    note.context?.activities.map((a) => a.id),
    ['14'],
    'the week itself still holds only its own activities',
  )
})

test('--bundle writes WEEK/index.md with its pictures beside it, pictures first, only when the template shows them', async () => {
  const {c, sources, files, calls} = collaborators()
  const routed = {...activities[1], map: {summary_polyline: '_p~iF~ps|U_ulLnnqC_mqNvxq`@'}}
  sources.activities.listActivities = async () => [routed]
  c.loadRenderer = async () =>
    rendererUsing(
      ['chartImage', 'routeImage'],
      (context) => `${context.chartImage} ${context.activities[0].routeImage}\n`,
    )
  const week = parseWeek('2024-W02', today)
  const bundle = {kind: 'dir', dir: 'out', filename: '{{week.id}}/index.md', bundle: true} as const
  const pictures = {maps: true, trimMetres: 200, privateMaps: false}
  await generateWeeks({...backfill([week]), destination: bundle, pictures}, c)
  assert.deepEqual(calls.writes, [
    join('out', '2024-W02', 'chart.svg'),
    join('out', '2024-W02', 'route-12.svg'),
    join('out', '2024-W02', 'index.md'),
  ])
  assert.equal(files.get(join('out', '2024-W02', 'index.md')), 'chart.svg route-12.svg\n')

  calls.writes.length = 0
  await generateWeeks({...backfill([week]), destination: bundle, pictures: {...pictures, maps: false}, force: true}, c)
  assert.deepEqual(calls.writes, [join('out', '2024-W02', 'chart.svg'), join('out', '2024-W02', 'index.md')])

  calls.writes.length = 0
  c.loadRenderer = async () => rendererUsing([])
  await generateWeeks({...backfill([week]), destination: bundle, pictures, force: true}, c)
  assert.deepEqual(calls.writes, [join('out', '2024-W02', 'index.md')], 'no picture the template does not show')

  await assert.rejects(
    generateWeeks(
      {...backfill([week, parseWeek('2024-W03', today)]), destination: {...bundle, filename: '{{week.id}}.md'}},
      c,
    ),
    /--bundle needs a directory per week/,
  )
})
