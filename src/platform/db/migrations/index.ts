import type { Migration, MigrationProvider } from 'kysely/migration';
import * as foundation from './2026-11-28T0700-foundation.ts';
import * as participation from './2026-11-28T0900-participation.ts';
import * as deliberation from './2026-11-28T1100-deliberation.ts';
import * as moderation from './2026-11-28T1100-moderation.ts';
import * as budgets from './2026-11-28T1200-budgets.ts';
import * as ballots from './2026-11-28T1400-ballots.ts';
import * as directory from './2026-11-28T1600-directory.ts';
import * as support from './2026-11-28T1700-support.ts';
import * as supportPlans from './2026-11-28T1800-support-plans.ts';
import * as supportDelivery from './2026-11-28T1900-support-delivery.ts';
import * as assemblies from './2026-11-28T2000-assemblies.ts';
import * as supportRecords from './2026-11-28T2100-support-records.ts';
import * as results from './2026-11-28T2200-results.ts';
import * as representation from './2026-11-28T2300-representation.ts';
import * as value from './2026-11-28T2400-value.ts';
import * as secretBallot from './2026-11-28T2500-secret-ballot.ts';

/**
 * Every migration, in order. Listed here rather than read from the folder so
 * that the set is fixed at build time. Never edit one that has landed: add a new one.
 */
const migrations: Record<string, Migration> = {
  '2026-11-28T0700-foundation': foundation,
  '2026-11-28T0900-participation': participation,
  '2026-11-28T1100-deliberation': deliberation,
  '2026-11-28T1100-moderation': moderation,
  '2026-11-28T1200-budgets': budgets,
  '2026-11-28T1400-ballots': ballots,
  '2026-11-28T1600-directory': directory,
  '2026-11-28T1700-support': support,
  '2026-11-28T1800-support-plans': supportPlans,
  '2026-11-28T1900-support-delivery': supportDelivery,
  '2026-11-28T2000-assemblies': assemblies,
  '2026-11-28T2100-support-records': supportRecords,
  '2026-11-28T2200-results': results,
  '2026-11-28T2300-representation': representation,
  '2026-11-28T2400-value': value,
  '2026-11-28T2500-secret-ballot': secretBallot,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
