// The pictures of a page bundle: the week's chart and a route thumbnail per outdoor activity, as files
// beside the note. The context gets their relative paths (chartImage, routeImage) so a template links them.
import type {SummaryActivity} from '../strava/types.js'
import type {DigestContext} from './digest.js'

export interface PictureOptions {
  /** Route thumbnails at all (--no-maps turns them off). */
  maps: boolean
  /** Metres dropped at each end of every route, so the start and finish (often home) are not published. */
  trimMetres: number
  /** Maps for activities only the athlete can see (off by default). */
  privateMaps: boolean
}

export interface PictureFile {
  /** Relative to the note's directory. */
  name: string
  content: string
}

/** Draws the pictures, sets their names on the context, and returns the files to write (chart first). */
export async function drawPictures(
  context: DigestContext,
  activities: SummaryActivity[],
  o: PictureOptions,
): Promise<PictureFile[]> {
  if (context.totals.count === 0) return []
  const [{weekChartSvg}, {routeSvg}] = await Promise.all([import('./chart.js'), import('./route-map.js')])
  const files: PictureFile[] = [{name: 'chart.svg', content: weekChartSvg(context)}]
  context.chartImage = 'chart.svg'
  if (!o.maps) return files

  const polylines = new Map(activities.map((activity) => [activity.id_str ?? String(activity.id), activity]))
  for (const activity of context.activities) {
    const summary = polylines.get(activity.id)
    const polyline = summary?.map?.summary_polyline
    if (!polyline || summary?.trainer || (activity.private && !o.privateMaps)) continue
    const svg = routeSvg(polyline, {trimMetres: o.trimMetres, title: `Route of ${activity.name}`})
    if (!svg) continue
    const name = `route-${activity.id}.svg`
    files.push({name, content: svg})
    activity.routeImage = name
  }

  return files
}
