import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {
  fetchWindow,
  parseWeek,
  WeekInputError,
  weekOfDate,
  weeksAsked,
  weeksInRange,
  weeksInYear,
} from '../../src/notes/week.js'

// Built from local fields, so the local date is the same whatever TZ the tests run under.
const mondayMorning = new Date(2024, 2, 11, 6, 30)

describe('parseWeek', () => {
  it('reads every accepted form of 2024 week 10', () => {
    const expected = {id: '2024-W10', year: 2024, number: 10, start: '2024-03-04', end: '2024-03-10'}
    for (const input of [
      '2024-W10',
      '2024-w10',
      '2024W10',
      ' 2024-W10 ',
      '2024-10',
      '2024-03-06',
      '2024-03-04',
      '2024-03-10',
    ]) {
      assert.deepEqual(parseWeek(input, mondayMorning), expected, input)
    }
  })

  it('reads 2024-10 as ISO week 10, not October', () => {
    assert.equal(parseWeek('2024-10', mondayMorning).start, '2024-03-04')
  })

  it('takes last as the last complete week and this as the current one', () => {
    assert.equal(parseWeek('last', mondayMorning).id, '2024-W10')
    assert.equal(parseWeek('LAST', mondayMorning).id, '2024-W10')
    assert.equal(parseWeek('this', mondayMorning).id, '2024-W11')
  })

  it('on a Sunday evening, the current week is not complete yet', () => {
    const sundayNight = new Date(2024, 2, 10, 23, 59, 59)
    assert.equal(parseWeek('this', sundayNight).id, '2024-W10')
    assert.equal(parseWeek('last', sundayNight).id, '2024-W09')
  })

  it('crosses New Year by ISO rules', () => {
    const newYearsDay2025 = new Date(2025, 0, 1, 12)
    assert.equal(parseWeek('this', newYearsDay2025).id, '2025-W01')
    assert.deepEqual(parseWeek('last', newYearsDay2025), {
      id: '2024-W52',
      year: 2024,
      number: 52,
      start: '2024-12-23',
      end: '2024-12-29',
    })
    const monday2021 = new Date(2021, 0, 4, 7)
    assert.equal(parseWeek('last', monday2021).id, '2020-W53')
    assert.equal(parseWeek('this', new Date(2021, 0, 3, 20)).id, '2020-W53')
  })

  it("reads `today` in the machine's local time (the user's week, not UTC's)", () => {
    const instant = new Date('2024-03-11T06:00:00Z') // Monday in Tokyo, still Sunday in Los Angeles
    const localDay = instant.getDate()
    assert.equal(parseWeek('this', instant).id, localDay === 11 ? '2024-W11' : '2024-W10')
  })

  it('follows ISO 8601 around week 53 and year boundaries', () => {
    assert.deepEqual(parseWeek('2025-W01', mondayMorning), {
      id: '2025-W01',
      year: 2025,
      number: 1,
      start: '2024-12-30',
      end: '2025-01-05',
    })
    assert.deepEqual(parseWeek('2020-W53', mondayMorning), {
      id: '2020-W53',
      year: 2020,
      number: 53,
      start: '2020-12-28',
      end: '2021-01-03',
    })
    assert.deepEqual(parseWeek('2026-W53', mondayMorning), {
      id: '2026-W53',
      year: 2026,
      number: 53,
      start: '2026-12-28',
      end: '2027-01-03',
    })
    assert.equal(parseWeek('2015-W53', mondayMorning).start, '2015-12-28')
    assert.equal(parseWeek('2009-W01', mondayMorning).start, '2008-12-29')
    assert.equal(parseWeek('2021-01-03', mondayMorning).id, '2020-W53')
    assert.equal(parseWeek('2024-12-31', mondayMorning).id, '2025-W01')
    assert.equal(parseWeek('2027-01-01', mondayMorning).id, '2026-W53')
    assert.equal(parseWeek('2024-02-29', mondayMorning).id, '2024-W09')
  })

  it('knows which years have 53 weeks', () => {
    const long = [2004, 2009, 2015, 2020, 2026, 2032, 2037]
    for (let year = 2000; year <= 2040; year++)
      assert.equal(weeksInYear(year), long.includes(year) ? 53 : 52, String(year))
  })

  it('rejects what is not a week with exit code 2 and the accepted forms', () => {
    for (const input of [
      '2024-W60',
      '2024-W53',
      '2021-W53',
      '2024-00',
      '2024-W00',
      'foo',
      '',
      '2024-13-01',
      '2024-02-30',
      '24-W10',
      '2024-W1O',
    ]) {
      assert.throws(
        () => parseWeek(input, mondayMorning),
        (error: unknown) => {
          assert.ok(error instanceof WeekInputError, input)
          assert.equal(error.exitCode, 2)
          assert.match(error.suggestions.join(' '), /2024-W10.*2024-10.*not October.*last.*this.*2024-03-06/)
          return true
        },
      )
    }

    assert.throws(() => parseWeek('2021-W53', mondayMorning), /2021 has ISO weeks 1 to 52/)
    assert.throws(() => parseWeek('foo', mondayMorning), /^WeekInputError: "foo" is not a week\.$/)
  })

  it('accepts four-digit years from 1970 to 9999 only (Date.UTC would turn 0000-0099 into 1900-1999)', () => {
    for (const input of ['0000-W10', '0099-W10', '0024-10', '1969-W10', '0099-03-06', '0001-01-01', '1969-12-31']) {
      assert.throws(
        () => parseWeek(input, mondayMorning),
        (error: unknown) =>
          error instanceof WeekInputError && error.exitCode === 2 && /years run from 1970 to 9999/.test(error.message),
        input,
      )
    }

    assert.equal(parseWeek('1970-W02', mondayMorning).start, '1970-01-05')
    assert.equal(parseWeek('9999-W10', mondayMorning).id, '9999-W10')
    assert.equal(parseWeek('9999-03-06', mondayMorning).year, 9999)
  })
})

describe('weekOfDate', () => {
  it('gives the week of a date or of a date-time', () => {
    assert.equal(weekOfDate('2024-03-10').id, '2024-W10')
    assert.equal(weekOfDate('2024-03-11T00:00:01Z').id, '2024-W11')
    assert.throws(() => weekOfDate('yesterday'), WeekInputError)
  })
})

describe('weeksInRange', () => {
  it('lists every week across a year with 53 weeks', () => {
    const weeks = weeksInRange(parseWeek('2020-W52', mondayMorning), parseWeek('2021-W02', mondayMorning))
    assert.deepEqual(
      weeks.map((week) => week.id),
      ['2020-W52', '2020-W53', '2021-W01', '2021-W02'],
    )
    assert.equal(weeksInRange(parseWeek('2024-W01', mondayMorning), parseWeek('2024-W52', mondayMorning)).length, 52)
  })

  it('refuses a range that ends before it starts', () => {
    assert.throws(
      () => weeksInRange(parseWeek('2024-W10', mondayMorning), parseWeek('2024-W09', mondayMorning)),
      /starts at 2024-W10, after its end 2024-W09/,
    )
  })
})

describe('fetchWindow', () => {
  const w10 = parseWeek('2024-W10', mondayMorning)
  const utc = (iso: string) => Date.parse(iso) / 1000

  it('pads the week by the extreme UTC offsets', () => {
    assert.deepEqual(fetchWindow(w10, w10), {
      after: utc('2024-03-03T10:00:00Z') - 1,
      before: utc('2024-03-11T12:00:00Z'),
    })
  })

  it('covers Monday 00:00 in UTC+14 and Sunday 23:59:59 in UTC-12, even with exclusive bounds', () => {
    const {after, before} = fetchWindow(w10, w10)
    const mondayInKiritimati = utc('2024-03-03T10:00:00Z')
    const sundayOnBakerIsland = utc('2024-03-11T11:59:59Z')
    assert.ok(after < mondayInKiritimati)
    assert.ok(sundayOnBakerIsland < before)
  })

  it('spans a range of weeks', () => {
    const range = fetchWindow(parseWeek('2024-W01', mondayMorning), parseWeek('2024-W52', mondayMorning))
    assert.deepEqual(range, {after: utc('2024-01-01T00:00:00Z') - 14 * 3600 - 1, before: utc('2024-12-30T12:00:00Z')})
  })
})

describe('weeksAsked', () => {
  const today = new Date(2024, 2, 13, 12) // Wednesday of 2024-W11, local time

  it('is last week by default, the week asked for, or the range from --from to --to (default last)', () => {
    assert.deepEqual(
      weeksAsked({}, today).map((w) => w.id),
      ['2024-W10'],
    )
    assert.deepEqual(
      weeksAsked({week: 'this'}, today).map((w) => w.id),
      ['2024-W11'],
    )
    assert.deepEqual(
      weeksAsked({from: '2024-W08'}, today).map((w) => w.id),
      ['2024-W08', '2024-W09', '2024-W10'],
    )
    assert.deepEqual(
      weeksAsked({from: '2024-W08', to: '2024-W09'}, today).map((w) => w.id),
      ['2024-W08', '2024-W09'],
    )
  })

  it('refuses a range that ends before it starts', () => {
    assert.throws(() => weeksAsked({from: '2024-W10', to: '2024-W08'}, today), WeekInputError)
  })
})
