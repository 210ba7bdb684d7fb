import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildTestApp, type TestApp } from '../../src/testing/harness.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface RunningApp {
  t: TestApp;
  /** Where the app listens, like http://127.0.0.1:40123 */
  origin: string;
  url(path: string): string;
}

/** The app in this process, on a fresh in-memory database, on a free port. */
export async function startApp(): Promise<RunningApp> {
  const t = await buildTestApp({}, { assetsDir: join(repoRoot, 'public', 'assets') });
  try {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
  } catch (error) {
    await t.close();
    throw error;
  }
  const address = t.app.server.address();
  if (!address || typeof address === 'string') throw new Error('The app is not listening on a TCP port');
  const origin = `http://127.0.0.1:${address.port}`;
  return { t, origin, url: (path) => new URL(path, origin).toString() };
}
