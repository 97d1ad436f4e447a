// Lists the functions of TypeScript sources with their length in lines, longest first, so that long ones
// (the house style aims for under 60) are found by a command rather than by reading. Used by
// test/function-lengths.test.ts; by hand: `node scripts/function-lengths.js [--over 60] [dir or file...]`.
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'

import ts from 'typescript'

/** Every .ts file under the paths given (directories walked, node_modules and .d.ts left out). */
export function sourceFiles(paths) {
  const files = []
  const visit = (path) => {
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path).sort()) if (entry !== 'node_modules') visit(join(path, entry))
    } else if (path.endsWith('.ts') && !path.endsWith('.d.ts')) {
      files.push(path)
    }
  }

  for (const path of paths) visit(path)
  return files
}

/** What a reader would call the function: its own name, the variable or property it is assigned to, or its line. */
function nameOf(node, source) {
  if (ts.isConstructorDeclaration(node)) return `${node.parent.name?.text ?? 'class'}.constructor`
  const own =
    node.name ??
    (ts.isVariableDeclaration(node.parent) ||
    ts.isPropertyAssignment(node.parent) ||
    ts.isPropertyDeclaration(node.parent)
      ? node.parent.name
      : undefined)
  const name = own ? own.getText(source) : '(anonymous)'
  const owner = ts.isClassLike(node.parent) ? `${node.parent.name?.text ?? 'class'}.` : ''
  return owner + name
}

/** The functions of one file: name, first line, length in lines (from its signature to its closing brace). */
export function functionsIn(file) {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true)
  const found = []
  const visit = (node) => {
    if (ts.isFunctionLike(node) && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line + 1
      found.push({file, name: nameOf(node, source), line: first, lines: last - first + 1})
    }

    ts.forEachChild(node, visit)
  }

  visit(source)
  return found
}

/** All functions under the paths, longest first. */
export function functionLengths(paths) {
  return sourceFiles(paths)
    .flatMap((file) => functionsIn(file))
    .sort((a, b) => b.lines - a.lines)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2)
  const overAt = args.indexOf('--over')
  const over = overAt === -1 ? 0 : Number(args.splice(overAt, 2)[1])
  const paths = args.length > 0 ? args : ['src']
  const long = functionLengths(paths).filter((f) => f.lines > over)
  for (const f of long) console.log(`${String(f.lines).padStart(4)}  ${relative('.', f.file)}:${f.line}  ${f.name}`)
  process.exitCode = over > 0 && long.length > 0 ? 1 : 0
}
