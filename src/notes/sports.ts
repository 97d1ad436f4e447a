// Sport names and kinds, kept apart from the template helpers so the digest does not load date-fns.

/** Sports whose effort people read as time per distance rather than speed. */
const FOOT_SPORTS = new Set(['run', 'trailrun', 'virtualrun', 'walk', 'hike', 'snowshoe'])

const SPORT_LABELS: Record<string, string> = {
  HighIntensityIntervalTraining: 'HIIT',
  EBikeRide: 'E-bike ride',
  EMountainBikeRide: 'E-mountain bike ride',
  StandUpPaddling: 'Stand-up paddling',
  Crossfit: 'CrossFit',
}

/** 'TrailRun' -> 'Trail run': Strava's PascalCase sport types as a sentence-case label. */
export function sportLabel(sportType: string): string {
  if (SPORT_LABELS[sportType]) return SPORT_LABELS[sportType]
  const words = sportType.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+/g)
  if (!words) return sportType
  return words
    .map((word, index) => (index === 0 ? word[0].toUpperCase() + word.slice(1) : word.toLowerCase()))
    .join(' ')
}

export function isFootSport(sportType: string): boolean {
  return FOOT_SPORTS.has(sportType.toLowerCase())
}
