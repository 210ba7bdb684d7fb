import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mappingSchema, programmeCostSchema } from '../evidence/value/value.schema.ts';
import { today } from '../participation/processes/phases.ts';
import type { Actor } from '../platform/auth/actor.ts';
import type { PlaceSummary } from '../platform/views/place-context.ts';
import type { Services } from '../services.ts';

const UNIT_COSTS_SAMPLE = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'docs',
  'samples',
  'unit-costs-sample.csv',
);

/** The UK financial year (April to March) holding a day, which the summary shows by default. */
export function financialYearOf(day: string): { from: string; to: string } {
  const year = Number(day.slice(0, 4));
  const start = Number(day.slice(5, 7)) >= 4 ? year : year - 1;
  return { from: `${start}-04-01`, to: `${start + 1}-03-31` };
}

/**
 * Value for money for the demo programme: the illustrative unit-cost table (synthetic values, labelled as
 * such in every row), this financial year's programme costs, and the demo's wellbeing outcome valued
 * against a unit cost with typical adjustments. Every figure is invented.
 */
export async function seedDemoValue(deps: Services, place: PlaceSummary, people: { analyst: Actor }) {
  const { value, supportDelivery } = deps;
  const { analyst } = people;
  await value.importUnitCosts(analyst, place, {
    filename: 'unit-costs-illustrative.csv',
    text: await readFile(UNIT_COSTS_SAMPLE, 'utf8'),
  });
  const {
    programmes: [programme],
  } = await value.programmes(analyst, place, { limit: 1, offset: 0 });
  if (!programme) return;

  const year = financialYearOf(today());
  const costs = [
    { category: 'staff', amount: '96000', note: 'Two link workers and a coordinator (illustrative)' },
    { category: 'partner_delivery', amount: '31500', note: 'Mentoring and family sessions (illustrative)' },
    { category: 'other', amount: '4800', note: 'Venues, travel and materials (illustrative)' },
  ];
  for (const cost of costs) {
    await value.addProgrammeCost(
      analyst,
      place,
      programme.id,
      programmeCostSchema.parse({ ...cost, startsOn: year.from, endsOn: year.to }),
    );
  }

  const indicators = await supportDelivery.outcomes.indicatorOptions(analyst, place);
  const wellbeing = indicators.find((i) => i.name === 'Wellbeing');
  const { unitCosts } = await value.unitCosts(analyst, place, { limit: 100, offset: 0 });
  const valued = unitCosts.find((u) => u.item.startsWith('Improved emotional wellbeing'));
  if (!wellbeing || !valued) return;
  await value.addMapping(
    analyst,
    place,
    programme.id,
    mappingSchema.parse({
      indicatorId: wellbeing.id,
      measure: 'crossed_threshold',
      unitCostId: valued.id,
      deadweight: '25',
      displacement: '0',
      attribution: '60',
      optimismBias: '15',
    }),
  );
}
