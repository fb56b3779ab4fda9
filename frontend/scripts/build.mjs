// Build the committed front-end assets in ../static/ from src/ and
// node_modules/govuk-frontend. Run with `npm run build` from frontend/.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as sass from 'sass'

const frontendDir = join(dirname(fileURLToPath(import.meta.url)), '..')
const repoDir = join(frontendDir, '..')
const staticDir = join(repoDir, 'static')
const govukDist = join(frontendDir, 'node_modules', 'govuk-frontend', 'dist', 'govuk')

const show = (path) => relative(repoDir, path)

function writeOutput (path, contents) {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, contents)
  console.log(`wrote ${show(path)}`)
}

function copyOutput (from, to) {
  mkdirSync(dirname(to), { recursive: true })
  cpSync(from, to, { recursive: true })
  console.log(`copied ${show(to)}`)
}

// 1. CSS: src/app.scss -> static/css/app.css (compressed, no source map).
const result = sass.compile(join(frontendDir, 'src', 'app.scss'), {
  style: 'compressed',
  loadPaths: [join(frontendDir, 'node_modules')],
  sourceMap: false
})
writeOutput(join(staticDir, 'css', 'app.css'), result.css + '\n')

// 2. JS: GOV.UK Frontend ES module bundle (+ its source map, which the bundle
//    references: Django's ManifestStaticFilesStorage fails if it is missing),
//    and our module entry point and optional body-class script.
for (const name of ['govuk-frontend.min.js', 'govuk-frontend.min.js.map']) {
  copyOutput(join(govukDist, name), join(staticDir, 'js', name))
}
for (const name of ['init.js', 'body-class.js']) {
  copyOutput(join(frontendDir, 'src', 'js', name), join(staticDir, 'js', name))
}

// 3. Assets: council icons and web app manifest. GOV.UK's own images
//    (crown favicon/icons, Royal Arms crest) and GDS Transport fonts are
//    GOV.UK-only and are deliberately not copied. static/govuk/ is owned by
//    this build, so clear it first to drop stale files.
const assetsOut = join(staticDir, 'govuk', 'assets')
rmSync(join(staticDir, 'govuk'), { recursive: true, force: true })
copyOutput(join(frontendDir, 'src', 'assets'), assetsOut)

const version = JSON.parse(
  readFileSync(join(frontendDir, 'node_modules', 'govuk-frontend', 'package.json'), 'utf8')
).version
console.log(`built with govuk-frontend ${version}`)
