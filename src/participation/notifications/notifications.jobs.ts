import type { DeliveryResult } from './notifications.service.ts';

export interface NotificationJobsDeps {
  notifications: {
    sendPendingEmails(now: Date): Promise<DeliveryResult>;
    sendDailyDigests(now: Date): Promise<DeliveryResult>;
  };
}

export interface NotificationJobsOptions {
  /** How often to email waiting notifications. */
  intervalMs: number;
  /** How often to look for people due a daily digest; hourly unless told. */
  digestIntervalMs?: number;
  log?: { error(details: Record<string, unknown>, message: string): void };
}

type JobName = 'pending' | 'digests';

/**
 * Emails notifications in the background so that no request waits for a
 * mail server. Both jobs run once at start (a restart must not put digests
 * off by another hour), then on their timers, one at a time. The returned
 * function stops the timers and waits for a run in progress, so that the
 * database can be closed after it.
 */
export function startNotificationJobs(
  services: NotificationJobsDeps,
  options: NotificationJobsOptions,
): () => Promise<void> {
  const { notifications } = services;
  const log = options.log ?? { error: (details, message) => console.error(message, details) };
  const jobs: Record<JobName, (now: Date) => Promise<DeliveryResult>> = {
    pending: (now) => notifications.sendPendingEmails(now),
    digests: (now) => notifications.sendDailyDigests(now),
  };
  const wanted = new Set<JobName>();
  let running: Promise<void> | undefined;
  let stopped = false;

  async function drain() {
    for (const name of wanted) {
      if (stopped) return;
      wanted.delete(name);
      try {
        const result = await jobs[name](new Date());
        if (result.failed > 0) log.error({ job: name, ...result }, 'Some notification emails failed');
      } catch (error) {
        log.error({ job: name, err: error }, 'Notification email job failed');
      }
    }
  }

  function request(name: JobName) {
    if (stopped) return;
    wanted.add(name);
    running ??= drain().finally(() => {
      running = undefined;
    });
  }

  const timers = [
    setTimeout(() => {
      request('pending');
      request('digests');
    }, 0),
    setInterval(() => request('pending'), options.intervalMs),
    setInterval(() => request('digests'), options.digestIntervalMs ?? 60 * 60 * 1000),
  ];
  for (const timer of timers) timer.unref();

  return async () => {
    stopped = true;
    for (const timer of timers) clearTimeout(timer);
    await running;
  };
}
