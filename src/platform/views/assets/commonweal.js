// Progressive enhancement only: every journey works without this file.
import { initAll } from './govuk-frontend.min.js';

document.body.classList.add('js-enabled');
if ('noModule' in HTMLScriptElement.prototype) document.body.classList.add('govuk-frontend-supported');
initAll();

// The place switcher submits as soon as a place is chosen; without scripts it has a button.
for (const select of document.querySelectorAll('[data-autosubmit]')) {
  select.addEventListener('change', () => select.form?.requestSubmit());
}
