import type { OutgoingMail } from '../../platform/mail/mailer.ts';

/** What an email needs to know of one notification. */
export interface MailableNotification {
  title: string;
  body: string;
  link: string;
  placeName: string;
}

export interface Recipient {
  email: string;
  name: string;
  unsubscribeToken: string;
}

/** A notification's link on this site, made absolute; anything that is not a local path goes to the list. */
export function absoluteLink(baseUrl: string, link: string): string {
  return `${baseUrl}${isLocalPath(link) ? link : '/notifications'}`;
}

/** A path on this site: one leading slash, never `//host` or `/\host`, which browsers treat as another site. */
export function isLocalPath(link: string): boolean {
  return /^\/(?![/\\])/.test(link) && !/[\s\\]/.test(link);
}

function footer(baseUrl: string, recipient: Recipient): string[] {
  return [
    '---',
    'You get these emails because you follow proposals or processes on Commonweal.',
    `Choose how often we email you: ${baseUrl}/account/notifications`,
    `Unsubscribe from all notification emails: ${unsubscribeUrl(baseUrl, recipient.unsubscribeToken)}`,
  ];
}

export function unsubscribeUrl(baseUrl: string, token: string): string {
  return `${baseUrl}/unsubscribe/${token}`;
}

function listUnsubscribe(baseUrl: string, recipient: Recipient): Record<string, string> {
  return {
    'List-Unsubscribe': `<${unsubscribeUrl(baseUrl, recipient.unsubscribeToken)}>`,
    // RFC 8058: mail clients may unsubscribe with a single POST to that address.
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
}

/** One email for one notification. The notification's own link comes first, so it is the one people follow. */
export function notificationEmail(
  baseUrl: string,
  recipient: Recipient,
  n: MailableNotification,
): OutgoingMail {
  const lines = [`Hello ${recipient.name},`, '', n.title, ''];
  if (n.body) lines.push(n.body, '');
  lines.push(`See it on Commonweal: ${absoluteLink(baseUrl, n.link)}`, '', ...footer(baseUrl, recipient));
  return {
    to: recipient.email,
    subject: `${n.placeName}: ${n.title}`,
    text: lines.join('\n'),
    headers: listUnsubscribe(baseUrl, recipient),
  };
}

/** One email listing everything that happened since the last digest, oldest first. */
export function digestEmail(
  baseUrl: string,
  recipient: Recipient,
  items: MailableNotification[],
): OutgoingMail {
  const count = items.length === 1 ? '1 new notification' : `${items.length} new notifications`;
  const lines = [
    `Hello ${recipient.name},`,
    '',
    `You have ${count} about what you follow on Commonweal.`,
    '',
  ];
  items.forEach((n, i) => {
    lines.push(`${i + 1}. ${n.title} (${n.placeName})`);
    if (n.body) lines.push(`   ${n.body.replace(/\s*\n\s*/g, ' ')}`);
    lines.push(`   ${absoluteLink(baseUrl, n.link)}`, '');
  });
  lines.push(`All your notifications: ${baseUrl}/notifications`, '', ...footer(baseUrl, recipient));
  return {
    to: recipient.email,
    subject: `Your daily summary: ${count}`,
    text: lines.join('\n'),
    headers: listUnsubscribe(baseUrl, recipient),
  };
}
