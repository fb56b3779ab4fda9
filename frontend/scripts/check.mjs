// Check the built assets in ../static/. Run with `npm run check` (also run
// at the end of `npm run build`). Exits non-zero on any problem.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const frontendDir = join(dirname(fileURLToPath(import.meta.url)), '..')
const repoDir = join(frontendDir, '..')
const staticDir = join(repoDir, 'static')
const problems = []

const read = (...parts) => readFileSync(join(staticDir, ...parts), 'utf8')

const expected = [
  'css/app.css',
  'js/govuk-frontend.min.js',
  'js/govuk-frontend.min.js.map',
  'js/init.js',
  'js/body-class.js',
  'govuk/assets/manifest.json',
  'govuk/assets/images/favicon.ico',
  'govuk/assets/images/favicon.svg',
  'govuk/assets/images/icon-180.png',
  'govuk/assets/images/icon-192.png',
  'govuk/assets/images/icon-512.png'
]
for (const file of expected) {
  if (!existsSync(join(staticDir, file))) problems.push(`missing static/${file}`)
}

if (existsSync(join(staticDir, 'css', 'app.css'))) {
  const css = read('css', 'app.css')
  const forbidden = [
    [/@font-face/i, '@font-face rule'],
    [/GDS Transport/i, 'GDS Transport font'],
    [/crown/i, '"crown"'],
    [/crest/i, '"crest"'],
    [/govuk-header__/, 'GOV.UK (crown) header styles'],
    [/url\(/i, 'url() reference (no images or fonts are expected)'],
    [/sourceMappingURL/, 'source map comment']
  ]
  for (const [pattern, what] of forbidden) {
    if (pattern.test(css)) problems.push(`static/css/app.css contains ${what}`)
  }
  for (const needed of ['--govuk-brand-colour: #00625e', '.govuk-generic-header', '.govuk-service-navigation',
    '.govuk-footer', '.app-table-scroll', '.app-card', '.app-role-tag', 'Liberation Sans']) {
    if (!css.includes(needed)) problems.push(`static/css/app.css lacks ${needed}`)
  }
}

if (existsSync(join(staticDir, 'js', 'init.js'))) {
  const init = read('js', 'init.js')
  if (!init.includes("from './govuk-frontend.min.js'")) problems.push('init.js does not import ./govuk-frontend.min.js')
  if (!init.includes('govuk-frontend-supported')) problems.push('init.js does not add govuk-frontend-supported')
}
if (existsSync(join(staticDir, 'js', 'govuk-frontend.min.js'))) {
  if (!/export\{[^}]*\binitAll\b/.test(read('js', 'govuk-frontend.min.js'))) {
    problems.push('govuk-frontend.min.js does not export initAll')
  }
}

// No GOV.UK fonts or crown/crest images anywhere in static/govuk/.
const walk = (dir) => readdirSync(dir).flatMap((name) => {
  const path = join(dir, name)
  return statSync(path).isDirectory() ? walk(path) : [path]
})
if (existsSync(join(staticDir, 'govuk'))) {
  for (const path of walk(join(staticDir, 'govuk'))) {
    if (/\.(woff2?|ttf|otf|eot)$|crown|crest|govuk-/i.test(relative(staticDir, path))) {
      problems.push(`unexpected GOV.UK asset ${relative(repoDir, path)}`)
    }
  }
}

if (problems.length) {
  for (const problem of problems) console.error(`FAIL ${problem}`)
  process.exit(1)
}
console.log(`check passed: ${expected.length} files present, no GOV.UK fonts, crown or crest`)
