// Optional, tiny, CSP-safe (external, classic, synchronous) script that adds
// the body classes before first paint, avoiding a flash of un-enhanced
// accordions/tabs/menus while the deferred init.js module loads. Include it
// as the first child of <body>:
//   <script src="{% static 'js/body-class.js' %}"></script>
// Same test as GOV.UK Frontend's page template. init.js adds the classes too,
// so this file is not required for the components to work.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '')
