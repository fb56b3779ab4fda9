// Initialise GOV.UK Frontend. Load as an ES module from an external file, so
// it works under a strict Content-Security-Policy (no inline script):
//   <script type="module" src="{% static 'js/init.js' %}"></script>
//
// GOV.UK Frontend's components only initialise when <body> has the class
// `govuk-frontend-supported`. GOV.UK's page template adds it with an inline
// script; we add it here instead. Browsers that run ES modules are exactly the
// browsers GOV.UK Frontend supports, so no feature test is needed.
import { initAll } from './govuk-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')

initAll()
