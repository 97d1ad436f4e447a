// What the note's pictures share: XML-safe text and one palette that reads on light and dark pages.

const XML_ENTITIES: Record<string, string> = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;'}

/** Text and attribute values: activity names are user text and must not break the XML (nor hold control characters). */
export function escapeXml(value: string): string {
  // XML 1.0 allows no C0 control character but tab, line feed and carriage return, not even escaped.
  const allowed = [...value].filter((char) => char >= ' ' || char === '\t' || char === '\n' || char === '\r')
  return allowed.join('').replace(/[&<>"']/g, (char) => XML_ENTITIES[char])
}

/**
 * Okabe and Ito's colour-blind-safe palette without its yellow (too pale on white), all mid-tone so that
 * bars read on light and dark backgrounds; sports past the sixth share a neutral grey.
 */
export const SPORT_COLOURS = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#56B4E9', '#CC79A7']
export const OTHER_COLOUR = '#999999'
/** Strava's orange for routes, as its brand guidelines use it; readable on both backgrounds. */
export const ROUTE_COLOUR = '#FC5200'

/**
 * Labels in a grey that reads on white and on black; where the page is dark (an <img> follows the
 * reader's colour scheme) a lighter one.
 */
export const TEXT_STYLE =
  '<style>text{font:12px system-ui,sans-serif;fill:#6e6e6e}@media (prefers-color-scheme:dark){text{fill:#b4b4b4}}</style>'

/** An accessible SVG: role img, labelled by its <title>, described by its <desc>. */
export function svgDocument(o: {width: number; height: number; title: string; desc: string; body: string}): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${o.width}" height="${o.height}" viewBox="0 0 ${o.width} ${o.height}" role="img" aria-labelledby="title desc">` +
    `<title id="title">${escapeXml(o.title)}</title><desc id="desc">${escapeXml(o.desc)}</desc>${o.body}</svg>\n`
  )
}
