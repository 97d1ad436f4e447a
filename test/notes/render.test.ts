import assert from 'node:assert/strict'
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'
import MarkdownIt from 'markdown-it'
import {parse as parseYaml} from 'yaml'
import {buildDigest, type DigestContext} from '../../src/notes/digest.js'
import {DEFAULT_TEMPLATE, loadTemplate, TemplateError} from '../../src/notes/render.js'
import {parseWeek} from '../../src/notes/week.js'
import {atLocal, week10Activities} from './activities.js'

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url))
const today = new Date(2025, 5, 1)
const athlete = {id: 134815, firstname: 'Marianne', lastname: 'Example'}

function context(weekId: string, units: 'metric' | 'imperial', activities = week10Activities()): DigestContext {
  return buildDigest({
    week: parseWeek(weekId, today),
    athlete,
    units,
    activities,
    generatedAt: new Date('2024-03-11T06:00:00Z'),
  })
}

async function assertTemplateError(promise: Promise<unknown>, pattern: RegExp) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof TemplateError, String(error))
    assert.equal(error.exitCode, 2)
    assert.match(error.message, pattern)
    return true
  })
}

describe('default template', () => {
  it('renders 2024-W10 exactly as the hand-checked expected file', async () => {
    const render = await loadTemplate()
    assert.equal(render(context('2024-W10', 'metric')), await readFile(fixture('weeknotes-2024-W10.md'), 'utf8'))
  })

  it('reads naturally for an empty week', async () => {
    const render = await loadTemplate()
    assert.equal(render(context('2025-W01', 'metric', [])), await readFile(fixture('weeknotes-empty-week.md'), 'utf8'))
  })

  it('renders imperial units', async () => {
    const markdown = (await loadTemplate())(context('2024-W10', 'imperial'))
    assert.match(markdown, /: 6 activities, 65\.2 mi, 6:22:00 moving, 3412 ft climbing\.\n/)
    assert.match(markdown, /\n\| Ride \| 2 \| 46\.6 mi \| 2:45:00 \| 2231 ft \|\n/)
    assert.match(
      markdown,
      /\n- 07:00 Morning Run: Run, 6\.2 mi in 50:00 \(8:03 \/mi\), 164 ft up, 145 bpm\. \[View on Strava\]\(https:\/\/www\.strava\.com\/activities\/10000000071\)\n/,
    )
    assert.match(markdown, /: Ride, 37\.3 mi in 2:00:00 \(18\.6 mph\), 1969 ft up\. \[View on Strava\]/)
  })

  it('keeps a table intact and a link single whatever the activity is called', async () => {
    const name = 'Tempo | 3x[2k] *fast* <img src=x> & done'
    const markdown = (await loadTemplate())(
      context('2024-W10', 'metric', [atLocal('2024-03-04T07:00:00', {id_str: '42', name, sport_type: 'Run'})]),
    )
    const line = markdown.split('\n').find((text) => text.startsWith('- 07:00 '))
    assert.equal(
      line,
      '- 07:00 Tempo \\| 3x\\[2k\\] \\*fast\\* \\<img src=x\\> & done: Run, 10.0 km in 50:00 (5:00 /km). [View on Strava](https://www.strava.com/activities/42)',
    )
    for (const line of markdown.split('\n').filter((text) => text.startsWith('|'))) {
      assert.equal(line.split(/(?<!\\)\|/).length, 7, line)
    }
  })

  it('leaves out pace or speed that cannot be known (a manual entry without moving time)', async () => {
    const manual = atLocal('2024-03-05T12:00:00', {
      id_str: '7',
      name: 'Manual',
      sport_type: 'Walk',
      distance: 3000,
      moving_time: 0,
      average_speed: 0,
    })
    const markdown = (await loadTemplate())(context('2024-W10', 'metric', [manual]))
    assert.ok(
      markdown.includes(
        '- 12:00 Manual: Walk, 3.0 km in 0:00. [View on Strava](https://www.strava.com/activities/7)\n',
      ),
      markdown,
    )
  })

  it('is front matter first, with YAML that static site generators accept', async () => {
    const markdown = (await loadTemplate())(context('2024-W10', 'metric'))
    assert.ok(
      markdown.startsWith(
        '---\ntitle: "Week 10, 2024: training notes"\ndate: 2024-03-10\ntags: [training, weeknotes]\n',
      ),
    )
    const frontMatter = /^---\n([\s\S]*?)\n---\n\n/.exec(markdown)?.[1]
    assert.deepEqual(parseYaml(frontMatter ?? ''), {
      title: 'Week 10, 2024: training notes',
      date: '2024-03-10',
      tags: ['training', 'weeknotes'],
      totals: {count: 6, distance: 105_000, movingTime: 22_920, elapsedTime: 23_640, elevationGain: 1040},
    })
  })

  it("keeps the athlete's text as text: a description cannot add HTML, a heading, a list item or a link", async () => {
    const race = atLocal('2024-03-09T09:00:00', {id_str: '9', name: 'Half <i>marathon</i>', workout_type: 1})
    const description =
      'PB! <script>alert(1)</script> <b>bold</b>\n\n# Not a heading\n\n- not a list\n\n[click](javascript:alert(1))'
    const hostile = buildDigest({
      week: parseWeek('2024-W10', today),
      athlete,
      units: 'metric',
      activities: [race],
      generatedAt: new Date('2024-03-11T06:00:00Z'),
      details: new Map([['9', {...race, description, photos: {primary: {urls: {'600': 'javascript:alert(1)'}}}}]]),
    })
    const markdown = (await loadTemplate())(hostile)
    // A renderer that lets raw HTML through, as some blogs do: the escapes still keep it text.
    const html = new MarkdownIt({html: true}).render(markdown.replace(/^---\n[\s\S]*?\n---\n/, ''))
    assert.doesNotMatch(html, /<(script|b|i)>/)
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/)
    assert.deepEqual(
      [...html.matchAll(/<h2>(.*?)<\/h2>/g)].map((match) => match[1]),
      [
        'Race: Half &lt;i&gt;marathon&lt;/i&gt;',
        'Monday 4 March',
        'Tuesday 5 March',
        'Wednesday 6 March',
        'Thursday 7 March',
        'Friday 8 March',
        'Saturday 9 March',
        'Sunday 10 March',
      ],
    )
    assert.deepEqual(
      [...html.matchAll(/href="([^"]*)"/g)].map((match) => match[1]),
      ['https://www.strava.com/activities/9', 'https://www.strava.com/activities/9'],
      'no link but "View on Strava"',
    )
    assert.doesNotMatch(html, /<img/, 'no photo from a javascript: address')
    assert.equal((html.match(/<li>/g) ?? []).length, 1, 'one list item: the activity, not the description')
  })

  it('resolves from the package root', async () => {
    assert.equal(DEFAULT_TEMPLATE, fileURLToPath(new URL('../../templates/weeknotes.md.hbs', import.meta.url)))
  })
})

describe('custom templates', () => {
  let directory: string
  const write = async (name: string, source: string) => {
    const file = join(directory, name)
    await writeFile(file, source)
    return file
  }

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'weeknotes-render-'))
  })
  after(async () => {
    await rm(directory, {recursive: true, force: true})
  })

  it('renders with the helpers and the whole context', async () => {
    const file = await write(
      'custom.hbs',
      '{{athlete.firstname}}: {{week.id}} {{#each sports}}{{label}}={{distance distance}} {{/each}}{{#each activities}}{{#if (gt distance 20000)}}{{md name}}{{/if}}{{/each}}\n',
    )
    const render = await loadTemplate(file)
    assert.equal(
      render(context('2024-W10', 'metric')),
      'Marianne: 2024-W10 Ride=75.0 km Run=18.0 km Trail run=12.0 km Weight training=0.0 km Long ride \\*hilly\\*\n',
    )
  })

  it('does not fail on missing values (strict: false)', async () => {
    const render = await loadTemplate(await write('missing.hbs', '[{{athlete.nickname}}{{nothing.at.all}}]'))
    assert.equal(render(context('2024-W10', 'metric')), '[]')
  })

  it('names the file and line of a syntax error, before anything is rendered', async () => {
    const file = await write('broken.hbs', '---\ntitle: x\n---\n{{#each activities}}\n{{name}\n{{/each}}\n')
    await assertTemplateError(
      loadTemplate(file),
      new RegExp(`^Template ${file.replaceAll('/', '\\/')} has an error on line 5: `),
    )
  })

  it('names the line of a block that is not closed properly', async () => {
    const file = await write('mismatch.hbs', 'one\ntwo\n{{#if totals.count}}\nthree\n{{/each}}\n')
    await assertTemplateError(
      loadTemplate(file),
      /^Template .*mismatch\.hbs has an error on line 3: if doesn't match each\.$/,
    )
  })

  it('names the file of an unknown helper when rendering', async () => {
    const file = await write('unknown-helper.hbs', 'x {{shout athlete.firstname}}\n')
    const render = await loadTemplate(file)
    assert.throws(
      () => render(context('2024-W10', 'metric')),
      (error: unknown) =>
        error instanceof TemplateError &&
        error.exitCode === 2 &&
        /^Template .*unknown-helper\.hbs failed to render: Missing helper: "shout"/.test(error.message),
    )
  })

  it('exits 2 for a template file that does not exist', async () => {
    await assertTemplateError(loadTemplate(join(directory, 'nope.hbs')), /^Template .*nope\.hbs was not found/)
  })
})
