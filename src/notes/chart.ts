// The week as a picture: one stacked bar per day, moving time by sport, for the note's page bundle.
import type {DigestContext} from './digest.js'
import {formatDuration} from './helpers.js'
import {OTHER_COLOUR, SPORT_COLOURS, svgDocument, TEXT_STYLE, escapeXml} from './svg.js'

const WIDTH = 560
const HEIGHT = 210
const LEGEND_Y = 14
const PLOT_TOP = 44
const PLOT_BOTTOM = 176
const BAR_WIDTH = 44

/** Colour per sport, in the order of the week's sport table (most time first). */
function coloursBySport(context: DigestContext): Map<string, string> {
  return new Map(context.sports.map((sport, i) => [sport.sportType, SPORT_COLOURS[i] ?? OTHER_COLOUR]))
}

function legend(context: DigestContext, colours: Map<string, string>): string {
  let x = 0
  return context.sports
    .map((sport) => {
      const item = `<rect x="${x}" y="${LEGEND_Y - 9}" width="10" height="10" rx="2" fill="${colours.get(sport.sportType)}"/><text x="${x + 14}" y="${LEGEND_Y}">${escapeXml(sport.label)}</text>`
      x += 22 + sport.label.length * 6.6
      return item
    })
    .join('')
}

function dayColumn(context: DigestContext, index: number, colours: Map<string, string>, scale: number): string {
  const day = context.days[index]
  const centre = (WIDTH / 7) * (index + 0.5)
  const x = (centre - BAR_WIDTH / 2).toFixed(1)
  let y = PLOT_BOTTOM
  const bars = day.activities
    .filter((activity) => activity.movingTime > 0)
    .map((activity) => {
      const height = activity.movingTime * scale
      y -= height
      return `<rect x="${x}" y="${y.toFixed(1)}" width="${BAR_WIDTH}" height="${height.toFixed(1)}" fill="${colours.get(activity.sportType) ?? OTHER_COLOUR}"/>`
    })
  const total = day.activities.reduce((sum, activity) => sum + activity.movingTime, 0)
  const label = `<text x="${centre.toFixed(1)}" y="${PLOT_BOTTOM + 18}" text-anchor="middle">${day.weekday.slice(0, 3)} ${Number(day.date.slice(8))}</text>`
  const amount =
    total > 0
      ? `<text x="${centre.toFixed(1)}" y="${(y - 5).toFixed(1)}" text-anchor="middle">${formatDuration(total)}</text>`
      : ''
  return bars.join('') + amount + label
}

/** What a screen reader says instead of the bars: each day's time, and the sports in it. */
function describeDays(context: DigestContext): string {
  return context.days
    .map((day) => {
      const total = day.activities.reduce((sum, activity) => sum + activity.movingTime, 0)
      if (total === 0) return `${day.weekday}: rest`
      const parts = day.activities.map((activity) => `${activity.sportType} ${formatDuration(activity.movingTime)}`)
      return `${day.weekday}: ${formatDuration(total)} (${parts.join(', ')})`
    })
    .join('; ')
}

/** Moving time per day of the week, stacked by sport; a few KB of SVG with a title and a description. */
export function weekChartSvg(context: DigestContext): string {
  const colours = coloursBySport(context)
  const longestDay = Math.max(
    1,
    ...context.days.map((day) => day.activities.reduce((sum, activity) => sum + activity.movingTime, 0)),
  )
  const scale = (PLOT_BOTTOM - PLOT_TOP) / longestDay
  const columns = context.days.map((_day, index) => dayColumn(context, index, colours, scale)).join('')
  const baseline = `<line x1="0" y1="${PLOT_BOTTOM}" x2="${WIDTH}" y2="${PLOT_BOTTOM}" stroke="#999999" stroke-width="1"/>`
  return svgDocument({
    width: WIDTH,
    height: HEIGHT,
    title: `Moving time per day, week ${context.week.number} of ${context.week.year}`,
    desc: describeDays(context),
    body: TEXT_STYLE + legend(context, colours) + baseline + columns,
  })
}
