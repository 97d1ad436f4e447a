import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import Handlebars from 'handlebars'
import {parse as parseYaml} from 'yaml'
import {
  escapeMarkdown,
  firstSentence,
  formatDate,
  formatDateRange,
  formatDistance,
  formatDuration,
  formatElevation,
  formatHeartrate,
  formatPace,
  formatSpeed,
  formatSpeedOrPace,
  markdownUrl,
  percentChange,
  registerHelpers,
} from '../../src/notes/helpers.js'
import {isFootSport, sportLabel} from '../../src/notes/sports.js'

const imperial = {hash: {units: 'imperial'}}
const metric = {hash: {units: 'metric'}}

function render(source: string, context: Record<string, unknown> = {}): string {
  const handlebars = Handlebars.create()
  registerHelpers(handlebars)
  return handlebars.compile(source)(context)
}

describe('unit helpers', () => {
  it('distance: km or mi with one decimal, decimals on request', () => {
    assert.equal(formatDistance(42_195, metric), '42.2 km')
    assert.equal(formatDistance(42_195, imperial), '26.2 mi')
    assert.equal(formatDistance(42_195, {hash: {units: 'imperial', decimals: 2}}), '26.22 mi')
    assert.equal(formatDistance(0, metric), '0.0 km')
    assert.equal(formatDistance(undefined, metric), '')
  })

  it('duration: h:mm:ss, or m:ss under an hour', () => {
    assert.equal(formatDuration(22_920), '6:22:00')
    assert.equal(formatDuration(3661), '1:01:01')
    assert.equal(formatDuration(3599.6), '1:00:00')
    assert.equal(formatDuration(3000), '50:00')
    assert.equal(formatDuration(59), '0:59')
    assert.equal(formatDuration(0), '0:00')
    assert.equal(formatDuration(90_000), '25:00:00')
    assert.equal(formatDuration('x'), '')
  })

  it('pace: min/km or min/mi, never a 60 in the seconds', () => {
    assert.equal(formatPace(10_000 / 3000, metric), '5:00 /km')
    assert.equal(formatPace(10_000 / 3000, imperial), '8:03 /mi')
    assert.equal(formatPace(3.175, metric), '5:15 /km')
    assert.equal(formatPace(1000 / 299.7, metric), '5:00 /km')
    assert.equal(formatPace(0, metric), '')
  })

  it('speed: km/h or mph', () => {
    assert.equal(formatSpeed(8.333, metric), '30.0 km/h')
    assert.equal(formatSpeed(8.333, imperial), '18.6 mph')
    assert.equal(formatSpeed(5.556, {hash: {units: 'metric', decimals: 0}}), '20 km/h')
  })

  it('speedOrPace: pace for foot sports, per 100 for swims, speed for the rest', () => {
    assert.equal(formatSpeedOrPace(2.5, 'TrailRun', metric), '6:40 /km')
    assert.equal(formatSpeedOrPace(2.5, 'Hike', imperial), '10:44 /mi')
    assert.equal(formatSpeedOrPace(1, 'Swim', metric), '1:40 /100m')
    assert.equal(formatSpeedOrPace(1, 'Swim', imperial), '1:31 /100yd')
    assert.equal(formatSpeedOrPace(8.333, 'Ride', metric), '30.0 km/h')
    assert.equal(formatSpeedOrPace(8.333, 'VirtualRide', imperial), '18.6 mph')
    for (const sport of ['Run', 'TrailRun', 'VirtualRun', 'Walk', 'Hike']) assert.ok(isFootSport(sport), sport)
    for (const sport of ['Ride', 'Swim', 'Rowing', 'Wheelchair']) assert.ok(!isFootSport(sport), sport)
  })

  it('elevation: whole metres or feet', () => {
    assert.equal(formatElevation(350.4, metric), '350 m')
    assert.equal(formatElevation(350, imperial), '1148 ft')
    assert.equal(formatElevation(1040, imperial), '3412 ft')
  })

  it('heartrate: rounded bpm, nothing when absent', () => {
    assert.equal(formatHeartrate(145.5), '146 bpm')
    assert.equal(formatHeartrate(undefined), '')
  })
})

describe('date helpers', () => {
  it('formats with date-fns patterns, as written whatever the machine zone', () => {
    assert.equal(formatDate('2024-03-04', 'd MMM yyyy'), '4 Mar 2024')
    assert.equal(formatDate('2024-03-04'), '2024-03-04')
    assert.equal(formatDate('2024-03-04T07:05:00', 'EEEE HH:mm'), 'Monday 07:05')
    // 02:30 does not exist in Berlin or Los Angeles that night; Strava's wall time must survive anyway.
    assert.equal(formatDate('2024-03-31T02:30:00', 'HH:mm'), '02:30')
    assert.equal(formatDate('2024-03-10T02:30:00', 'HH:mm'), '02:30')
    assert.equal(formatDate('2024-03-11T06:00:00.000Z', 'yyyy-MM-dd HH:mm xxx'), '2024-03-11 06:00 +00:00')
    assert.equal(formatDate('2024-12-30', "RRRR-'W'II"), '2025-W01')
    assert.equal(formatDate('not a date', 'yyyy'), '')
  })

  it('writes a week as a natural range', () => {
    assert.equal(formatDateRange('2024-03-04', '2024-03-10'), '4–10 March 2024')
    assert.equal(formatDateRange('2024-02-26', '2024-03-03'), '26 February – 3 March 2024')
    assert.equal(formatDateRange('2024-12-30', '2025-01-05'), '30 December 2024 – 5 January 2025')
  })
})

describe('sportLabel', () => {
  it("turns Strava's sport types into sentence-case labels", () => {
    const labels: Record<string, string> = {
      Run: 'Run',
      TrailRun: 'Trail run',
      VirtualRide: 'Virtual ride',
      MountainBikeRide: 'Mountain bike ride',
      HighIntensityIntervalTraining: 'HIIT',
      EBikeRide: 'E-bike ride',
      EMountainBikeRide: 'E-mountain bike ride',
      WeightTraining: 'Weight training',
      StandUpPaddling: 'Stand-up paddling',
      NordicSki: 'Nordic ski',
      Crossfit: 'CrossFit',
      SomethingNew: 'Something new',
    }
    for (const [sportType, label] of Object.entries(labels)) assert.equal(sportLabel(sportType), label)
  })
})

describe('escapeMarkdown', () => {
  it('escapes what would break tables, links and emphasis, and HTML', () => {
    assert.equal(escapeMarkdown('Intervals | 6x800m [track]'), 'Intervals \\| 6x800m \\[track\\]')
    assert.equal(escapeMarkdown('*hard* _easy_ `code` ~x~ a\\b'), '\\*hard\\* \\_easy\\_ \\`code\\` \\~x\\~ a\\\\b')
    assert.equal(escapeMarkdown('<script>alert(1)</script>'), '\\<script\\>alert(1)\\</script\\>')
    assert.equal(escapeMarkdown('Run & bike &amp; swim'), 'Run & bike \\&amp; swim')
    assert.equal(escapeMarkdown('two\nlines'), 'two lines')
    assert.equal(escapeMarkdown('Café 5k (easy) - 10.5 km!'), 'Café 5k (easy) - 10.5 km!')
  })
})

describe('helpers in a template', () => {
  const context = {units: 'imperial', distance: 42_195, speed: 2.5, climb: 350, sport: 'Run'}

  it('read units from the root context, inside blocks too', () => {
    assert.equal(
      render('{{distance distance}} {{elevation climb}} {{speedOrPace speed sport}}', context),
      '26.2 mi 1148 ft 10:44 /mi',
    )
    assert.equal(render('{{#each list}}{{distance this}};{{/each}}', {units: 'imperial', list: [1609.344]}), '1.0 mi;')
    assert.equal(render('{{distance distance}}', {distance: 1000}), '1.0 km')
  })

  it('take units passed explicitly, by hash or position', () => {
    assert.equal(
      render('{{distance distance units="metric"}} {{distance distance "metric"}}', context),
      '42.2 km 42.2 km',
    )
    assert.equal(render('{{pace speed "metric"}} {{speed speed units="metric"}}', context), '6:40 /km 9.0 km/h')
    assert.equal(render('{{speedOrPace speed "Ride" "metric"}}', context), '9.0 km/h')
    assert.equal(render('{{distance distance decimals=3}}', context), '26.219 mi')
  })

  it('compare and compute', () => {
    const values = {a: 3, b: 5, zero: 0, list: ['x', 'y'], none: []}
    const cases: [string, string][] = [
      ['{{#if (eq a 3)}}yes{{else}}no{{/if}}', 'yes'],
      ['{{#if (ne a 3)}}yes{{else}}no{{/if}}', 'no'],
      ['{{gt b a}} {{gte a 3}} {{lt b a}} {{lte a 3}}', 'true true false true'],
      [
        '{{and a b}} {{and a zero}} {{or zero a}} {{or zero none}} {{not zero}} {{not list}} {{not none}}',
        'true false true false true false true',
      ],
      [
        '{{add a b}} {{subtract a b}} {{multiply a b}} {{divide b a}} {{divide a zero}}',
        '8 -2 15 1.6666666666666667 0',
      ],
      ['{{round (divide b a)}} {{round (divide b a) 2}}', '2 1.67'],
      [
        '{{a}} {{plural a "activity" "activities"}}, 1 {{plural 1 "activity" "activities"}}, 0 {{plural zero "run"}}',
        '3 activities, 1 activity, 0 runs',
      ],
      ['{{join list}}|{{join list " + "}}|{{join list separator="/"}}', 'x, y|x + y|x/y'],
      ['{{sportLabel "TrailRun"}} {{heartrate 150.2}} {{duration 3661}}', 'Trail run 150 bpm 1:01:01'],
      ['{{date "2024-03-04" "d MMM yyyy"}} {{dateRange "2024-03-04" "2024-03-10"}}', '4 Mar 2024 4–10 March 2024'],
    ]
    for (const [source, expected] of cases) assert.equal(render(source, values), expected, source)
  })

  it('md escapes for Markdown and is not HTML-escaped again; plain {{name}} still escapes HTML', () => {
    const name = {name: 'Tom & Jerry | <b>[fast]</b>'}
    assert.equal(render('{{md name}}', name), 'Tom & Jerry \\| \\<b\\>\\[fast\\]\\</b\\>')
    assert.equal(render('{{{md name}}}', name), 'Tom & Jerry \\| \\<b\\>\\[fast\\]\\</b\\>')
    assert.equal(render('{{name}}', name), 'Tom &amp; Jerry | &lt;b&gt;[fast]&lt;/b&gt;')
  })
})

describe('helpers for user text, comparisons and front matter', () => {
  it('yaml writes any value as YAML that parses back to the same value, whatever the text holds', () => {
    const names = [
      'Morning run',
      'Race: "NYC" #1',
      "it's - [a] {b}: c",
      'line one\nline two',
      'tab\tand \u0085next line \u2028 separator \u0007 bell',
      '---',
      'yes',
      '',
    ]
    for (const name of names) {
      const yaml = render('title: {{yaml name}}\n', {name})
      assert.equal(yaml.split('\n').length, 2, 'one line')
      assert.deepEqual(parseYaml(yaml), {title: name}, yaml)
    }

    const totals = {count: 3, distance: 21_097.5, movingTime: 5400}
    assert.deepEqual(parseYaml(render('totals: {{yaml totals}}\nnone: {{yaml missing}}', {totals})), {
      totals,
      none: null,
    })
  })

  it('firstSentence: up to the first full stop, question or exclamation mark, else the first line, cut near 140 characters', () => {
    assert.equal(firstSentence('Official time 3:42:02. Race got hard at mile 21.'), 'Official time 3:42:02.')
    assert.equal(firstSentence('Wow! Legs gone.'), 'Wow!')
    assert.equal(firstSentence('v2.0 of the route. More.'), 'v2.0 of the route.')
    assert.equal(firstSentence('No stop here\nSecond line.'), 'No stop here')
    assert.equal(firstSentence(`${'word '.repeat(40)}end.`), `${'word '.repeat(28).trim()}…`)
    assert.equal(firstSentence(undefined), '')
  })

  it('percentChange: signed and rounded, with a real minus sign; nothing against zero', () => {
    assert.equal(percentChange(118, 100), '+18%')
    assert.equal(percentChange(93.4, 100), '−7%')
    assert.equal(percentChange(100, 100), '±0%')
    assert.equal(percentChange(5, 0), '')
    assert.equal(render('{{percentChange a b}}', {a: 59_000, b: 50_000}), '+18%')
  })

  it('mdParagraphs keeps paragraphs, escapes markup and what would start a heading or a list', () => {
    const description =
      '# Not a heading\n\n- not a list, *not bold*\n\n1. not numbered <script>x</script>\n\n\n\nLast [link](x).'
    assert.equal(
      render('{{mdParagraphs description}}', {description}),
      '\\# Not a heading\n\n\\- not a list, \\*not bold\\*\n\n1\\. not numbered \\<script\\>x\\</script\\>\n\nLast \\[link\\](x).',
    )
  })

  it('href keeps http(s) and relative paths inside the note, encodes what would end a link, refuses the rest', () => {
    assert.equal(markdownUrl('https://cdn.example/a b(1).jpg'), 'https://cdn.example/a%20b%281%29.jpg')
    assert.equal(markdownUrl('route-123.svg'), 'route-123.svg')
    for (const unsafe of ['javascript:alert(1)', 'data:text/html,x', '../secret.svg', '/etc/passwd', '', 42]) {
      assert.equal(markdownUrl(unsafe), '', String(unsafe))
    }

    assert.equal(render('![x]({{href url}})', {url: 'https://a/b)c'}), '![x](https://a/b%29c)')
  })

  it('where keeps the items whose field is set', () => {
    const activities = [
      {name: 'a', race: true},
      {name: 'b', race: false},
      {name: 'c', routeImage: 'route-c.svg'},
    ]
    assert.equal(render('{{#each (where activities "race")}}{{name}}{{/each}}', {activities}), 'a')
    assert.equal(render('{{#each (where activities "routeImage")}}{{name}}{{/each}}', {activities}), 'c')
    assert.equal(render('{{#if (where activities "photoUrl")}}some{{else}}none{{/if}}', {activities}), 'none')
    assert.equal(render('{{#each (where activities "constructor")}}x{{/each}}', {activities}), '', 'own fields only')
  })
})
