import assert from 'node:assert/strict'
import {readFile} from 'node:fs/promises'
import {describe, it} from 'node:test'
import Handlebars from 'handlebars'

import {DEFAULT_TEMPLATE, loadTemplate} from '../../src/notes/render.js'
import {templateUses} from '../../src/notes/template-uses.js'

const uses = (source: string) => templateUses(Handlebars, Handlebars.parse(source))

describe('templateUses: the costly fields a template refers to, from its syntax tree', () => {
  it('finds them as paths, in blocks, sub-expressions, block parameters and lookups', () => {
    assert.deepEqual(uses('{{#each activities}}{{md description}}{{/each}}'), ['description'])
    assert.deepEqual(uses('{{#each activities as |a|}}{{#if a.photoUrl}}x{{/if}}{{/each}}'), ['photoUrl'])
    assert.deepEqual(uses('{{#each days}}{{#each activities}}{{../../streak.days}}{{/each}}{{/each}}'), ['streak'])
    assert.deepEqual(uses('{{percentChange totals.distance previousWeek.distance}}'), ['previousWeek'])
    assert.deepEqual(uses('{{#each activities}}{{lookup this "privateNote"}}{{/each}}'), ['privateNote'])
    assert.deepEqual(uses('{{#with yearToDate}}{{totals.count}}{{/with}} {{fourWeekAverage.count}}'), [
      'fourWeekAverage',
      'yearToDate',
    ])
    assert.deepEqual(uses('![chart]({{href chartImage}}){{#each (where activities "routeImage")}}{{/each}}'), [
      'chartImage',
      'routeImage',
    ])
  })

  it('finds none in a template that shows only what the activity list has', () => {
    assert.deepEqual(uses('{{#each activities}}{{md name}} {{distance distance}} {{race}} {{prCount}}{{/each}}'), [])
    assert.deepEqual(
      uses('{{!-- description photoUrl --}}plain text: description'),
      [],
      'comments and text are not uses',
    )
  })

  it('knows what the default template uses, and keeps it with a cached compiled template', async () => {
    const expected = ['chartImage', 'description', 'photoUrl', 'previousWeek', 'routeImage', 'streak']
    assert.deepEqual(uses(await readFile(DEFAULT_TEMPLATE, 'utf8')), expected)
    assert.ok(!uses(await readFile(DEFAULT_TEMPLATE, 'utf8')).includes('privateNote'), 'never the private note')
    assert.deepEqual((await loadTemplate()).uses, expected)
  })
})
