import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * Every setting Commonweal reads from its environment, parsed once at start.
 * Development gets safe defaults; production refuses to start on a fatal gap.
 */
export interface Config {
  env: 'development' | 'test' | 'production';
  port: number;
  host: string;
  /** Empty means the embedded PGlite database in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  sessionSecret: string;
  baseUrl: string;
  /** Empty means email is written as files to `<dataDir>/mail`. */
  smtpUrl: string | undefined;
  mailFrom: string;
  version: string;
  commit: string;
  /**
   * Which proxies to believe about the client's address (for rate limits and
   * logs): false, a number of hops, or a list of proxy addresses.
   */
  trustProxy: boolean | number | string;
}

const DEV_SESSION_SECRET = 'development-only-secret-not-for-production-use';

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .trim()
    .refine((v) => v === '' || /^postgres(ql)?:\/\//.test(v), 'must be empty or start with postgres://')
    .optional(),
  DATA_DIR: z.string().trim().optional(),
  SESSION_SECRET: z.string().optional(),
  BASE_URL: z.string().trim().optional(),
  SMTP_URL: z
    .string()
    .trim()
    .refine((v) => v === '' || /^smtps?:\/\//.test(v), 'must be empty or start with smtp:// or smtps://')
    .optional(),
  MAIL_FROM: z.string().trim().optional(),
  COMMIT_SHA: z.string().trim().optional(),
  TRUST_PROXY: z
    .string()
    .trim()
    .refine((v) => v === '' || v === 'false' || /^\d{1,2}$/.test(v) || /^[0-9a-fA-F.:/,\s]+$/.test(v), {
      message: 'must be empty, a number of proxy hops (like 1), or a comma-separated list of proxy addresses',
    })
    .optional(),
});

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, version = '0.0.0'): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Commonweal cannot start: the environment is not valid.\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const secret = e.SESSION_SECRET?.trim() ?? '';
  if (production && secret.length === 0) {
    throw new ConfigError(
      'Commonweal cannot start: SESSION_SECRET is not set. In production it protects every ' +
        'session and sign-in link; set it to a long random value (for example `openssl rand -hex 32`).',
    );
  }
  if (production && secret.length < 32) {
    throw new ConfigError(
      'Commonweal cannot start: SESSION_SECRET must be at least 32 characters in production.',
    );
  }
  const port = e.PORT;
  const baseUrl = (e.BASE_URL || `http://localhost:${port}`).replace(/\/+$/, '');
  if (production && !e.BASE_URL) {
    throw new ConfigError(
      'Commonweal cannot start: BASE_URL is not set. In production it is used for the links in emails.',
    );
  }
  return {
    env: e.NODE_ENV,
    port,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL || undefined,
    dataDir: resolve(e.DATA_DIR || 'data'),
    sessionSecret: secret || DEV_SESSION_SECRET,
    baseUrl,
    smtpUrl: e.SMTP_URL || undefined,
    mailFrom: e.MAIL_FROM || 'Commonweal <no-reply@commonweal.invalid>',
    version,
    commit: e.COMMIT_SHA || 'unknown',
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
  };
}

function parseTrustProxy(value: string | undefined): boolean | number | string {
  if (!value || value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}
