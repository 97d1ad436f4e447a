import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {parse} from 'yaml'

import {run} from './checkout.js'

/**
 * Runs a composite action's `run:` steps the way the GitHub runner does (bash with -e and pipefail,
 * GITHUB_OUTPUT, GITHUB_ACTION_PATH, `${{ }}` expressions, `if:`), for a test on this machine. `uses:`
 * steps are not run: their outputs come from `usesOutputs` (the test stands in for them, e.g. Node.js
 * already on PATH and node_modules already there). An expression this runner cannot evaluate fails the
 * run, so the action cannot drift out of what the test covers.
 */
export interface CompositeActionOptions {
  actionPath: string
  workspace: string
  inputs: Record<string, string>
  env: NodeJS.ProcessEnv
  usesOutputs?: Record<string, Record<string, string>>
}

export interface StepResult {
  label: string
  ran: boolean
  code: number
  stdout: string
  stderr: string
}

export interface CompositeActionRun {
  ok: boolean
  steps: StepResult[]
  outputs: Record<string, string>
  /** Everything the steps printed, as a workflow log would show it. */
  log: string
}

interface ActionStep {
  id?: string
  name?: string
  uses?: string
  run?: string
  if?: string
  shell?: string
  env?: Record<string, string>
  'working-directory'?: string
}

interface ActionFile {
  inputs?: Record<string, {default?: string; required?: boolean}>
  outputs?: Record<string, {value: string}>
  runs: {using: string; steps: ActionStep[]}
}

type Context = Record<string, unknown>

function lookup(context: Context, path: string): string {
  let value: unknown = context
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || !(part in value)) {
      // A step that did not run, or did not set an output, gives '' as on GitHub; anything else is a typo.
      if (path.startsWith('steps.')) return ''
      throw new Error(`The test's action runner cannot resolve \${{ ${path} }}`)
    }
    value = (value as Record<string, unknown>)[part]
  }
  return value === undefined || value === null ? '' : String(value)
}

/** `a.b.c`, `a.b == 'x'` or `a.b != 'x'`: all the action uses. */
function evaluate(expression: string, context: Context): string | boolean {
  const text = expression.trim()
  const comparison = /^([\w.-]+)\s*(==|!=)\s*'([^']*)'$/.exec(text)
  if (comparison) {
    const equal = lookup(context, comparison[1]) === comparison[3]
    return comparison[2] === '==' ? equal : !equal
  }
  if (/^[\w.-]+$/.test(text)) return lookup(context, text)
  throw new Error(`The test's action runner cannot evaluate \${{ ${text} }}`)
}

function substitute(text: string, context: Context): string {
  return text.replace(/\$\{\{([^}]*)\}\}/g, (_, expression: string) => String(evaluate(expression, context)))
}

function condition(step: ActionStep, context: Context): boolean {
  if (step.if === undefined) return true
  const inner = /^\s*\$\{\{(.*)\}\}\s*$/.exec(step.if)?.[1] ?? step.if
  const value = evaluate(inner, context)
  return value === true || (typeof value === 'string' && value !== '' && value !== 'false')
}

function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const match = /^([^=<]+)=(.*)$/.exec(line)
    if (match) outputs[match[1]] = match[2]
    else if (line.includes('<<')) throw new Error('multi-line outputs are not supported by the test runner')
  }
  return outputs
}

export async function runCompositeAction(o: CompositeActionOptions): Promise<CompositeActionRun> {
  const action = parse(await readFile(join(o.actionPath, 'action.yml'), 'utf8')) as ActionFile
  if (action.runs.using !== 'composite') throw new Error('not a composite action')
  const inputs: Record<string, string> = {}
  for (const [name, spec] of Object.entries(action.inputs ?? {})) {
    const value = o.inputs[name] ?? spec.default ?? ''
    if (spec.required && !value) throw new Error(`input ${name} is required`)
    inputs[name] = value
  }
  for (const name of Object.keys(o.inputs)) {
    if (!(name in inputs)) throw new Error(`the action has no input ${name}`)
  }

  const temp = await mkdtemp(join(o.workspace, '..', 'runner-temp-'))
  const steps: Record<string, {outputs: Record<string, string>}> = {}
  const context: Context = {inputs, steps, github: {action_path: o.actionPath}, runner: {os: 'Linux', temp}}
  const results: StepResult[] = []
  try {
    for (const [index, step] of action.runs.steps.entries()) {
      const label = step.name ?? step.id ?? step.uses ?? `step ${index + 1}`
      if (step.uses) {
        if (step.id) steps[step.id] = {outputs: o.usesOutputs?.[step.id] ?? {}}
        results.push({label, ran: false, code: 0, stdout: '', stderr: ''})
        continue
      }

      if (!condition(step, context)) {
        results.push({label, ran: false, code: 0, stdout: '', stderr: ''})
        continue
      }

      const result = await runStep(step, label, context, o, temp)
      results.push(result.step)
      if (step.id) steps[step.id] = {outputs: result.outputs}
      if (result.step.code !== 0) break
    }
  } finally {
    await rm(temp, {recursive: true, force: true})
  }

  const ok = results.every((step) => step.code === 0)
  const outputs = Object.fromEntries(
    Object.entries(action.outputs ?? {}).map(([name, spec]) => [name, substitute(spec.value, context)]),
  )
  const log = results.map((step) => `## ${step.label}\n${step.stdout}${step.stderr}`).join('\n')
  return {ok, steps: results, outputs, log}
}

async function runStep(
  step: ActionStep,
  label: string,
  context: Context,
  o: CompositeActionOptions,
  temp: string,
): Promise<{step: StepResult; outputs: Record<string, string>}> {
  if (step.shell !== 'bash') throw new Error(`${label}: only shell: bash is supported`)
  const outputFile = join(temp, `output-${Math.random().toString(36).slice(2)}`)
  const script = join(temp, `script-${Math.random().toString(36).slice(2)}.sh`)
  await writeFile(outputFile, '')
  await writeFile(script, substitute(step.run ?? '', context))
  const stepEnv = Object.fromEntries(
    Object.entries(step.env ?? {}).map(([name, value]) => [name, substitute(String(value), context)]),
  )
  const env = {
    ...o.env,
    ...stepEnv,
    GITHUB_ACTION_PATH: o.actionPath,
    GITHUB_OUTPUT: outputFile,
    GITHUB_WORKSPACE: o.workspace,
    RUNNER_TEMP: temp,
  }
  const cwd = step['working-directory'] ? substitute(step['working-directory'], context) : o.workspace
  // The runner's command line for `shell: bash`.
  const finished = await run('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
    cwd,
    env,
    timeoutMs: 300_000,
  })
  const outputs = parseOutputs(await readFile(outputFile, 'utf8'))
  return {step: {label, ran: true, ...finished}, outputs}
}
