// `npm run build`: the CLI as one CommonJS file, dist/index.js, which oclif loads through its explicit
// command strategy (package.json oclif.commands). One file to read instead of ~170 modules to resolve
// and compile cuts start-up by about a quarter. CommonJS, not ESM: a single ESM file hoists
// `import 'node:http'`, whose ESM facade loads undici on every start.
// Left outside: the native keyring binding, TypeScript and oclif's TS loaders (development only), and
// the packages loaded lazily on some paths (Handlebars' compiler, date-fns, open), which stay out of start-up.
import {build} from 'esbuild'
import {mkdirSync, writeFileSync} from 'node:fs'
import {relative, resolve} from 'node:path'

const root = resolve(import.meta.dirname, '..')

// Each source file keeps its own import.meta.url, as if it still sat in src/: templates and createRequire
// resolve from there exactly as they do when the sources run through tsx.
const sourceUrls = {
  name: 'source-import-meta-url',
  setup(bundle) {
    bundle.onLoad({filter: /[/\\]src[/\\].*\.ts$/}, async ({path}) => {
      const {readFile} = await import('node:fs/promises')
      const place = JSON.stringify(relative(resolve(root, 'dist'), path).split('\\').join('/'))
      const contents = (await readFile(path, 'utf8')).replaceAll('import.meta.url', `__sourceUrl(${place})`)
      return {contents, loader: 'ts'}
    })
  },
}

// oclif globs for command files only under its `pattern` strategy, which no plugin here uses (each has a
// manifest): tinyglobby stays a package loaded on first use instead of being set up at every start.
const lazyGlob = {
  name: 'lazy-tinyglobby',
  setup(bundle) {
    bundle.onResolve({filter: /^tinyglobby$/}, (args) =>
      args.namespace === 'lazy' ? {path: 'tinyglobby', external: true} : {path: 'tinyglobby', namespace: 'lazy'},
    )
    bundle.onLoad({filter: /.*/, namespace: 'lazy'}, () => ({
      // Resolved from oclif, whose dependency it is (through a variable, which esbuild leaves alone).
      contents: `const oclif = '@oclif/core'
        exports.glob = (...args) => require('node:module').createRequire(require.resolve(oclif))('tinyglobby').glob(...args)`,
      loader: 'js',
    }))
  },
}

// Handlebars' compiler (a template not compiled before) stays a package; its runtime, all that a cached
// template needs, is bundled: ~20 modules fewer to resolve on every run.
const handlebarsCompilerOutside = {
  name: 'handlebars-compiler-outside',
  setup(bundle) {
    bundle.onResolve({filter: /^handlebars$/}, () => ({path: 'handlebars', external: true}))
  },
}

// oclif sorts each plugin's commands with `localeCompare`, whose first call sets up ICU's collator: ~10 ms of
// every start, more than any module oclif loads. The ids here sort the same by code point
// (test/e2e/start-up.test.ts checks the manifest's), so the bundled sort compares code points. The build fails
// if oclif's line changes, rather than bundling an unpatched sort unnoticed.
const oclifSortWithoutCollator = {
  name: 'oclif-sort-without-collator',
  setup(bundle) {
    bundle.onLoad({filter: /@oclif[/\\]core[/\\]lib[/\\]config[/\\]plugin\.js$/}, async ({path}) => {
      const {readFile} = await import('node:fs/promises')
      const source = await readFile(path, 'utf8')
      const sort = '.sort((a, b) => a.id.localeCompare(b.id))'
      if (source.split(sort).length !== 2)
        throw new Error(`${path}: oclif's command sort changed; review ${import.meta.filename}`)
      return {contents: source.replace(sort, '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))'), loader: 'js'}
    })
  },
}

mkdirSync(resolve(root, 'dist'), {recursive: true})
// The rest of the package is ESM ("type": "module"); this folder's files are CommonJS.
writeFileSync(resolve(root, 'dist', 'package.json'), '{"type": "commonjs"}\n')
// Two entry points: the CLI, and the import's worker thread (src/archive/export/import-in-worker.ts
// finds dist/import-worker.js beside the bundle through __sourceUrl).
await build({
  entryPoints: {
    index: resolve(root, 'src', 'index.ts'),
    'import-worker': resolve(root, 'src', 'archive', 'export', 'import-worker.ts'),
  },
  outdir: resolve(root, 'dist'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  // The workspace's auth plugin is bundled from its TypeScript sources (its package.json exports them under
  // this condition), so the CLI never depends on a separate build of the plugin.
  conditions: ['oauth-plugin-source'],
  external: ['@napi-rs/keyring', 'typescript', 'tsx', 'ts-node', 'date-fns', 'open'],
  plugins: [sourceUrls, lazyGlob, handlebarsCompilerOutside, oclifSortWithoutCollator],
  // Outside every module scope, so no local `require` can shadow the one it uses.
  banner: {
    js: "const __sourceUrl = (place) => require('node:url').pathToFileURL(require('node:path').join(__dirname, place)).href;",
  },
  // Less to parse at every start; names are kept, so a stack trace under DEBUG still reads.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
})
