// A small route thumbnail from Strava's summary polyline: decoded with Google's polyline codec,
// trimmed at both ends so a start at home is not published, projected with a fitted Mercator (d3-geo).
import polylineCodec from '@googlemaps/polyline-codec'
import {geoDistance, geoInterpolate, geoMercator, geoPath} from 'd3-geo'
import {ROUTE_COLOUR, svgDocument} from './svg.js'

/** Strava's mean Earth radius for distances, metres. */
const EARTH_RADIUS_M = 6_371_008.8
const SIZE = 160
const PADDING = 8

type LngLat = [number, number]

/** The point `metres` along the track (cumulative distances in `along`), between two of its points. */
function pointAt(points: LngLat[], along: number[], metres: number): LngLat {
  const i = along.findIndex((distance) => distance >= metres)
  if (i <= 0) return points[Math.max(i, 0)]
  const fraction = (metres - along[i - 1]) / (along[i] - along[i - 1] || 1)
  return geoInterpolate(points[i - 1], points[i])(fraction)
}

/**
 * The track without its first and last `metres` (measured along it), cut exactly there rather than at the
 * nearest point, so a sparse summary polyline keeps its shape; empty when nothing is left.
 */
export function trimRoute(points: LngLat[], metres: number): LngLat[] {
  if (metres <= 0 || points.length < 2) return points
  const along = [0]
  for (let i = 1; i < points.length; i++) {
    along.push(along[i - 1] + geoDistance(points[i - 1], points[i]) * EARTH_RADIUS_M)
  }

  const end = (along.at(-1) ?? 0) - metres
  if (end <= metres) return []
  const inside = points.filter((_point, i) => along[i] > metres && along[i] < end)
  return [pointAt(points, along, metres), ...inside, pointAt(points, along, end)]
}

/** Decodes Strava's summary polyline ([lat, lng] pairs, 5 decimals) into GeoJSON order [lng, lat]. */
export function decodeRoute(summaryPolyline: string): LngLat[] {
  return polylineCodec.decode(summaryPolyline, 5).map(([lat, lng]) => [lng, lat])
}

/**
 * The route as an SVG line in Strava's orange on a transparent background, fitted into a square; undefined
 * when the polyline, once trimmed, has fewer than two points.
 */
export function routeSvg(summaryPolyline: string, o: {trimMetres: number; title: string}): string | undefined {
  const points = trimRoute(decodeRoute(summaryPolyline), o.trimMetres)
  if (points.length < 2) return undefined
  const line = {type: 'LineString' as const, coordinates: points}
  const projection = geoMercator().fitExtent(
    [
      [PADDING, PADDING],
      [SIZE - PADDING, SIZE - PADDING],
    ],
    line,
  )
  const path = geoPath(projection).digits(1)(line)
  if (!path) return undefined
  return svgDocument({
    width: SIZE,
    height: SIZE,
    title: o.title,
    desc: 'Route map, trimmed at the start and the end.',
    body: `<path d="${path}" fill="none" stroke="${ROUTE_COLOUR}" stroke-width="3" stroke-linecap="round" stroke-linejoin="round"/>`,
  })
}
