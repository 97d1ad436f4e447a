// Cross-platform `rm -rf dist oclif.manifest.json` before a build, so no stale command survives.
import {rmSync} from 'node:fs'

for (const path of ['dist', 'oclif.manifest.json']) rmSync(path, {force: true, recursive: true})
