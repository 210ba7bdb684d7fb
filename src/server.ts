import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp, defaultAssetsDir } from './app.ts';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, seedDemoData } from './demo/demo-data.ts';
import { startNotificationJobs } from './participation/notifications/notifications.jobs.ts';
import { ConfigError, loadConfig } from './platform/config.ts';
import { migrateToLatest, openDatabase } from './platform/db/database.ts';
import { DataDirLockedError } from './platform/db/pglite-lock.ts';
import { createMailer } from './platform/mail/mailer.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

async function main() {
  const config = loadConfig(process.env, version);
  const database = await openDatabase({ url: config.databaseUrl, dataDir: join(config.dataDir, 'db') });
  await migrateToLatest(database.db);
  const mailer = createMailer({
    smtpUrl: config.smtpUrl,
    folder: join(config.dataDir, 'mail'),
    from: config.mailFrom,
  });

  const app = await createApp({ config, database, mailer, assetsDir: defaultAssetsDir(root) });
  const seeded = config.env !== 'production' && (await seedDemoData({ db: database.db, ...app.services }));
  let stopNotificationJobs: (() => Promise<void>) | undefined;
  // Housekeeping, hourly: expired sessions and stale sign-in throttles.
  const purge = () =>
    app.services.accounts.purgeExpired().catch((error) => app.log.error({ err: error }, 'purge failed'));
  const housekeeping = setInterval(purge, 60 * 60_000);
  housekeeping.unref();
  const shutdown = async () => {
    clearInterval(housekeeping);
    await stopNotificationJobs?.();
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);

  await app.listen({ port: config.port, host: config.host });
  await purge();
  // Emails go out in the background: waiting notifications every minute, daily digests checked hourly.
  stopNotificationJobs = startNotificationJobs(app.services, {
    intervalMs: 60_000,
    digestIntervalMs: 60 * 60_000,
    log: { error: (details, message) => app.log.error(details, message) },
  });
  const where =
    database.kind === 'pglite' ? `embedded database in ${join(config.dataDir, 'db')}` : 'PostgreSQL server';
  console.log(`\nCommonweal is running at ${config.baseUrl} (${where}).`);
  if (config.env !== 'production') {
    if (seeded) console.log('Demo data has been added.');
    console.log(`\nDemo sign-ins (password for all: ${DEMO_PASSWORD}):`);
    for (const account of DEMO_ACCOUNTS) console.log(`  ${account.role.padEnd(20)} ${account.email}`);
    if (mailer.folder)
      console.log(`\nEmails are written to ${mailer.folder} and listed at ${config.baseUrl}/dev/mail`);
  }
}

main().catch((error) => {
  if (error instanceof ConfigError || error instanceof DataDirLockedError) {
    console.error(`\n${error.message}\n`);
  } else {
    console.error(error);
  }
  process.exit(1);
});
