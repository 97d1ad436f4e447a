import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import polylineCodec from '@googlemaps/polyline-codec'
import {geoDistance} from 'd3-geo'
import {XMLParser, XMLValidator} from 'fast-xml-parser'

import {weekChartSvg} from '../../src/notes/chart.js'
import {buildDigest} from '../../src/notes/digest.js'
import {drawPictures} from '../../src/notes/pictures.js'
import {decodeRoute, routeSvg, trimRoute} from '../../src/notes/route-map.js'
import {parseWeek} from '../../src/notes/week.js'
import type {SummaryActivity} from '../../src/strava/types.js'
import {atLocal, week10Activities} from './activities.js'

const metresBetween = (a: [number, number], b: [number, number]) => geoDistance(a, b) * 6_371_008.8

/** A 10 km loop of 100 points around a start in Berlin, as Strava's summary polyline encodes it. */
function loop(start: [number, number] = [52.5145, 13.3501], points = 100): string {
  const radius = 10_000 / (2 * Math.PI)
  const track: [number, number][] = []
  for (let i = 0; i <= points; i++) {
    const angle = Math.PI + (2 * Math.PI * i) / points
    const north = radius * Math.sin(angle)
    const east = radius + radius * Math.cos(angle)
    track.push([start[0] + north / 111_320, start[1] + east / (111_320 * Math.cos((start[0] * Math.PI) / 180))])
  }

  return polylineCodec.encode(track, 5)
}

function parsedSvg(svg: string) {
  assert.equal(XMLValidator.validate(svg), true, 'well-formed XML')
  return new XMLParser({ignoreAttributes: false}).parse(svg) as {svg: Record<string, unknown>}
}

const week = parseWeek('2024-W10', new Date(2025, 0, 1))
const digest = (activities: SummaryActivity[]) =>
  buildDigest({week, athlete: {id: 1}, units: 'metric', activities, generatedAt: new Date('2024-03-11T06:00:00Z')})

describe('week chart', () => {
  const svg = weekChartSvg(digest(week10Activities()))

  it('is a small, well-formed SVG with a title and a description for screen readers', () => {
    const {svg: root} = parsedSvg(svg)
    assert.equal(root['@_role'], 'img')
    assert.equal(root.title && (root.title as {'#text': string})['#text'], 'Moving time per day, week 10 of 2024')
    assert.match(String((root.desc as {'#text': string})['#text']), /^Monday: 50:00 \(Run 50:00\); .*Friday: rest; /)
    assert.ok(Buffer.byteLength(svg) < 6 * 1024, `${Buffer.byteLength(svg)} bytes`)
  })

  it('stacks one bar per activity, tallest day at full height, in a palette made for light and dark pages', () => {
    const bars = [...svg.matchAll(/<rect x="[\d.]+" y="([\d.]+)" width="44" height="([\d.]+)" fill="(#[0-9A-F]{6})"/g)]
    assert.equal(bars.length, 6)
    const heights = bars.map((bar) => Number(bar[2]))
    assert.equal(Math.max(...heights), 132, 'the 2-hour ride fills the plot')
    assert.match(svg, /@media \(prefers-color-scheme:dark\)/)
    assert.equal(new Set(bars.map((bar) => bar[3])).size, 4, 'a colour per sport')
  })

  it('escapes what it prints', () => {
    const hostile = digest([atLocal('2024-03-04T07:00:00', {sport_type: 'Run<script>&'})])
    parsedSvg(weekChartSvg(hostile))
  })
})

describe('route thumbnails', () => {
  const polyline = loop()
  const points = decodeRoute(polyline)

  it('trims the start and the end by the distance asked, cutting exactly there', () => {
    const trimmed = trimRoute(points, 200)
    assert.ok(Math.abs(metresBetween(points[0], trimmed[0]) - 200) < 5, 'starts 200 m from home')
    assert.ok(Math.abs(metresBetween(points.at(-1)!, trimmed.at(-1)!) - 200) < 5, 'ends 200 m before it')
    assert.ok(
      trimmed.every((point) => metresBetween(points[0], point) >= 195),
      'never closer to the start',
    )
    assert.deepEqual(trimRoute(points, 0), points)
    assert.deepEqual(trimRoute(points, 6000), [], 'nothing left of a 10 km loop trimmed by 6 km at each end')
  })

  it('draws a fitted, titled, well-formed SVG of a few hundred bytes', () => {
    const svg = routeSvg(polyline, {trimMetres: 200, title: 'Route of Run & <b>"fun"</b>'})!
    const {svg: root} = parsedSvg(svg)
    assert.equal((root.title as {'#text': string})['#text'], 'Route of Run & <b>"fun"</b>')
    assert.equal(root['@_width'], '160')
    const numbers = (/ d="([^"]+)"/.exec(svg)?.[1] ?? '').match(/[\d.]+/g)!.map(Number)
    assert.ok(Math.min(...numbers) >= 7.9 && Math.max(...numbers) <= 152.1, 'fitted inside the padding')
    assert.ok(Buffer.byteLength(svg) < 4 * 1024, `${Buffer.byteLength(svg)} bytes`)
    assert.equal(routeSvg(polyline, {trimMetres: 6000, title: 'x'}), undefined)
  })
})

describe('drawPictures', () => {
  const outdoor = (id: string, fields: Partial<SummaryActivity> = {}) =>
    atLocal('2024-03-05T07:00:00', {id_str: id, map: {summary_polyline: loop()}, ...fields})
  const activities = [
    outdoor('1'),
    outdoor('2', {visibility: 'only_me', private: true}),
    outdoor('3', {trainer: true}),
    outdoor('4', {map: {summary_polyline: ''}}),
  ]
  const options = {maps: true, trimMetres: 200, privateMaps: false}

  it('draws the chart and a map per outdoor activity, none for private ones unless asked', async () => {
    const context = digest(activities)
    const files = await drawPictures(context, activities, options)
    assert.deepEqual(
      files.map((file) => file.name),
      ['chart.svg', 'route-1.svg'],
    )
    assert.equal(context.chartImage, 'chart.svg')
    assert.deepEqual(
      context.activities.map((activity) => activity.routeImage),
      ['route-1.svg', undefined, undefined, undefined],
    )
    const withPrivate = await drawPictures(digest(activities), activities, {...options, privateMaps: true})
    assert.deepEqual(
      withPrivate.map((file) => file.name),
      ['chart.svg', 'route-1.svg', 'route-2.svg'],
    )
  })

  it('draws no map with maps off, and nothing for an empty week', async () => {
    const files = await drawPictures(digest(activities), activities, {...options, maps: false})
    assert.deepEqual(
      files.map((file) => file.name),
      ['chart.svg'],
    )
    assert.deepEqual(await drawPictures(digest([]), [], options), [])
  })
})
