/** Money as people read it: minor units (pence) as bigint, written with the currency's own symbol. */

/** Minor units to "1,234.50" (the page adds the currency). */
export function minorToText(minor: bigint): string {
  const negative = minor < 0n;
  const abs = negative ? -minor : minor;
  const whole = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${whole}.${(abs % 100n).toString().padStart(2, '0')}`;
}

/** Whole pence to "1234.50": two decimal places, no separators (files, forms, JSON). */
export function minorToDecimal(minor: bigint): string {
  const sign = minor < 0n ? '-' : '';
  const m = minor < 0n ? -minor : minor;
  return `${sign}${m / 100n}.${String(m % 100n).padStart(2, '0')}`;
}

/** "£25,000.00" for GBP; any other ISO 4217 code in the same way. */
const moneyFormats = new Map<string, Intl.NumberFormat | null>();

export function formatMoney(amount: string | null, currency: string): string {
  if (amount === null) return '';
  let format = moneyFormats.get(currency);
  if (format === undefined) {
    try {
      format = new Intl.NumberFormat('en-GB', { style: 'currency', currency });
    } catch {
      format = null;
    }
    if (moneyFormats.size < 300) moneyFormats.set(currency, format);
  }
  return format ? format.format(Number(amount)) : `${amount} ${currency}`;
}

/** The currency's symbol and where it goes, so that the page and its script write money alike. */
export function moneyParts(currency: string): { prefix: string; suffix: string } {
  const zero = formatMoney('0', currency);
  const at = zero.indexOf('0.00');
  if (at === -1) return { prefix: `${currency} `, suffix: '' };
  return { prefix: zero.slice(0, at), suffix: zero.slice(at + 4) };
}

/** Minor units as "£1,234.50" (or "-£20.00"), with no float on the way. */
export function moneyText(minor: bigint, currency: string): string {
  const { prefix, suffix } = moneyParts(currency);
  const abs = minor < 0n ? -minor : minor;
  return `${minor < 0n ? '-' : ''}${prefix}${minorToText(abs)}${suffix}`;
}
