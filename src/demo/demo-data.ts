import type { Actor } from '../platform/auth/actor.ts';
import type { PlaceRole } from '../platform/auth/roles.ts';
import type { Database } from '../platform/db/database.ts';
import type { Services } from '../services.ts';
import { seedDemoAssemblies } from './demo-assemblies.ts';
import { seedDemoBudgets } from './demo-budgets.ts';
import { seedDemoDirectory } from './demo-directory.ts';
import { seedDemoParticipation } from './demo-participation.ts';
import { seedDemoRepresentation } from './demo-representation.ts';
import { seedDemoResults } from './demo-results.ts';
import { seedDemoSupport } from './demo-support.ts';
import { seedDemoValue } from './demo-value.ts';

/** Every demo account shares this password. The people and the place are fictional. */
export const DEMO_PASSWORD = 'riverside-demo-pass';

export const DEMO_PLACE = {
  slug: 'riverside',
  name: 'Riverside',
  summary: 'A fictional borough used to show what Commonweal does. Everyone here is made up.',
  contactEmail: 'hello@riverside.example',
};

export interface DemoAccount {
  email: string;
  name: string;
  role: PlaceRole | 'instance_admin';
}

export const DEMO_ACCOUNTS: DemoAccount[] = [
  { email: 'admin@commonweal.example', name: 'Ada Steward', role: 'instance_admin' },
  { email: 'place-admin@riverside.example', name: 'Priya Okafor', role: 'place_admin' },
  { email: 'officer@riverside.example', name: 'Owen Marsh', role: 'officer' },
  { email: 'moderator@riverside.example', name: 'Mina Castell', role: 'moderator' },
  { email: 'valuator@riverside.example', name: 'Victor Lund', role: 'valuator' },
  { email: 'analyst@riverside.example', name: 'Anika Bloom', role: 'analyst' },
  { email: 'link-worker@riverside.example', name: 'Leah Brennan', role: 'link_worker' },
  { email: 'partner@riverside.example', name: 'Omar Fielding', role: 'organisation_member' },
  { email: 'resident@riverside.example', name: 'Rosa Quill', role: 'resident' },
];

/** Seeds the demo place and accounts into an empty database; does nothing if anyone already has an account. */
export async function seedDemoData(deps: Services & { db: Database }): Promise<boolean> {
  const { db, accounts, places } = deps;
  const anyone = await db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (anyone) return false;

  const ids = new Map<string, string>();
  for (const account of DEMO_ACCOUNTS) {
    ids.set(
      account.email,
      await accounts.createVerifiedAccount({
        email: account.email,
        name: account.name,
        password: DEMO_PASSWORD,
        instanceAdmin: account.role === 'instance_admin',
      }),
    );
  }
  const steward = (await accounts.loadActor(ids.get('admin@commonweal.example')!, 'demo-seed'))!;
  const place = await places.createPlace(steward, DEMO_PLACE);
  const actor: Actor = { ...steward };
  for (const account of DEMO_ACCOUNTS) {
    if (account.role === 'instance_admin') continue;
    await places.grantRole(actor, place, account.email, account.role);
    if (account.role !== 'resident') await places.grantRole(actor, place, account.email, 'resident');
  }
  const officer = (await accounts.loadActor(ids.get('officer@riverside.example')!, 'demo-seed'))!;
  const { neighbours } = await seedDemoParticipation(deps, place, officer, actor);
  const actorOf = async (email: string) => (await accounts.loadActor(ids.get(email)!, 'demo-seed'))!;
  await seedDemoBudgets(deps, place, {
    officer,
    placeAdmin: await actorOf('place-admin@riverside.example'),
    valuator: await actorOf('valuator@riverside.example'),
    voters: neighbours,
  });
  await seedDemoDirectory(deps, place, { officer, partnerId: ids.get('partner@riverside.example')! });
  await seedDemoSupport(deps, place, {
    officer,
    linkWorker: await actorOf('link-worker@riverside.example'),
  });
  await seedDemoAssemblies(deps, place, { officer });
  await seedDemoResults(deps, place, { officer });
  await seedDemoRepresentation(deps, place, { officer, residents: neighbours });
  await seedDemoValue(deps, place, { analyst: await actorOf('analyst@riverside.example') });
  return true;
}
