// Flags that more than one weeknotes command takes.
import * as Flags from '@oclif/core/flags'
import {durationFlag} from 'oclif-plugin-oauth/flags'

/** generate's and sync's --max-wait, in milliseconds: a budget for the whole run, so 0 (never wait) is a duration. */
export const maxWaitFlag = () =>
  durationFlag({
    summary: "Longest time in all to wait for Strava's 15-minute rate limit to reset, e.g. 0, 90s, 15m.",
    default: '15m',
    allowZero: true,
    invalid: (text) => `--max-wait "${text}" is not a duration; use seconds or a unit, e.g. 0, 90s, 15m.`,
  })

/** generate's and sync's --verbose: each request on stderr, for a run that needs explaining. */
export const verboseFlag = () =>
  Flags.boolean({
    char: 'v',
    summary: 'Show each Strava request with its status and rate-limit usage (never tokens).',
  })
