// Progressive enhancement only: every journey works without this file.
import { initAll } from './govuk-frontend.min.js';

document.body.classList.add('js-enabled');
if ('noModule' in HTMLScriptElement.prototype) document.body.classList.add('govuk-frontend-supported');
initAll();

// The place switcher submits as soon as a place is chosen; without scripts it has a button.
for (const select of document.querySelectorAll('[data-autosubmit]')) {
  select.addEventListener('change', () => select.form?.requestSubmit());
}

// A ballot's running total, worked out as boxes are ticked and numbers typed. The server works out the
// same total (the "Update total" button, hidden here) and checks every rule when the vote is sent.
// Costs arrive in minor units (pence) and are added as BigInt, so no float enters a sum.
for (const form of document.querySelectorAll('form[data-ballot]')) {
  const { kind = 'approval', moneyPrefix = '', moneySuffix = '' } = form.dataset;
  const pointsTotal = /^\d+$/.test(form.dataset.pointsTotal ?? '') ? Number(form.dataset.pointsTotal) : null;
  const money = (minor) => {
    const abs = minor < 0n ? -minor : minor;
    const whole = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    const pence = (abs % 100n).toString().padStart(2, '0');
    return `${minor < 0n ? '-' : ''}${moneyPrefix}${whole}.${pence}${moneySuffix}`;
  };
  const show = (section, name, text) => {
    const target = section.querySelector(`[data-total="${name}"]`);
    // Only changed text is written, so that screen readers announce a total once, when it changes.
    if (target && target.textContent !== text) target.textContent = text;
  };
  const update = () => {
    for (const section of form.querySelectorAll('[data-ballot-section]')) {
      let chosen = 0;
      let cost = 0n;
      let points = 0;
      for (const input of section.querySelectorAll('input[data-cost]')) {
        const value = input.value.trim();
        // The same reading as the server's: an empty box or 0 points is not a choice.
        const picked =
          input.type === 'checkbox'
            ? input.checked
            : value !== '' && !(kind !== 'ordinal' && /^0+$/.test(value));
        if (!picked) continue;
        chosen += 1;
        cost += BigInt(input.dataset.cost);
        if (kind !== 'ordinal' && /^\d{1,7}$/.test(value)) points += Number(value);
      }
      show(section, 'chosen', String(chosen));
      show(section, 'cost', money(cost));
      show(section, 'left', money(BigInt(section.dataset.amount) - cost));
      if (pointsTotal !== null) show(section, 'points-left', String(pointsTotal - points));
    }
  };
  form.addEventListener('input', update);
  form.addEventListener('change', update);
  form.querySelector('[data-ballot-recalculate]')?.classList.add('govuk-!-display-none');
}

// GOV.UK Frontend marks radios that reveal further questions with aria-expanded, which ARIA 1.2 does not
// allow on radios or checkboxes (axe: aria-allowed-attr). The revealed questions follow their radio, so
// taking the attribute off loses nothing.
for (const input of document.querySelectorAll('.govuk-radios__input[aria-controls]')) {
  input.removeAttribute('aria-expanded');
  new MutationObserver(() => input.removeAttribute('aria-expanded')).observe(input, {
    attributes: true,
    attributeFilter: ['aria-expanded'],
  });
}
