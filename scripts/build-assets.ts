import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as sass from 'sass';

/** Builds the stylesheet and copies the browser scripts into public/assets (not committed). */
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'public', 'assets');
const source = join(root, 'src', 'platform', 'views', 'assets');
const govuk = join(root, 'node_modules', 'govuk-frontend', 'dist', 'govuk');

mkdirSync(out, { recursive: true });
const css = sass.compile(join(source, 'commonweal.scss'), {
  style: 'compressed',
  importers: [new sass.NodePackageImporter(root)],
  quietDeps: true,
  silenceDeprecations: ['import'],
});
writeFileSync(join(out, 'commonweal.css'), css.css);
copyFileSync(join(govuk, 'govuk-frontend.min.js'), join(out, 'govuk-frontend.min.js'));
copyFileSync(join(source, 'commonweal.js'), join(out, 'commonweal.js'));
copyFileSync(join(source, 'favicon.svg'), join(out, 'favicon.svg'));
copyFileSync(
  join(root, 'src', 'participation', 'budgeting', 'results', 'results.js'),
  join(out, 'budget-results.js'),
);
console.log(`Assets built in ${out}`);
