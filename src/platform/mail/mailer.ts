import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  /** Extra headers, e.g. List-Unsubscribe. */
  headers?: Record<string, string>;
}

export interface StoredMail extends OutgoingMail {
  id: string;
  from: string;
  sentAt: string;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  /** Where development mail is written, or undefined when mail goes to an SMTP server. */
  folder: string | undefined;
}

/**
 * Email through nodemailer: to the SMTP server in SMTP_URL, or, without one,
 * rendered by nodemailer and written as JSON files to a folder that the
 * development mailbox page lists.
 */
export function createMailer(options: { smtpUrl: string | undefined; folder: string; from: string }): Mailer {
  if (options.smtpUrl) {
    const transport = nodemailer.createTransport(options.smtpUrl);
    return {
      folder: undefined,
      async send(mail) {
        await transport.sendMail({
          from: options.from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          headers: mail.headers,
        });
      },
    };
  }
  const transport = nodemailer.createTransport({ jsonTransport: true });
  let sequence = 0;
  return {
    folder: options.folder,
    async send(mail) {
      const info = await transport.sendMail({
        from: options.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        headers: mail.headers,
      });
      const sentAt = new Date().toISOString();
      // Sorts by time, then by order of sending within the same millisecond.
      sequence += 1;
      const id = `${sentAt.replace(/[:.]/g, '-')}-${String(sequence).padStart(8, '0')}-${randomUUID().slice(0, 8)}`;
      const stored: StoredMail = { id, from: options.from, sentAt, ...mail };
      await mkdir(options.folder, { recursive: true });
      await writeFile(join(options.folder, `${id}.json`), JSON.stringify({ ...stored, raw: info.message }));
    },
  };
}

export async function readMailFolder(folder: string): Promise<StoredMail[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return [];
  }
  const files = names
    .filter((n) => n.endsWith('.json'))
    .sort()
    .reverse();
  const mails = await Promise.all(
    files.map(async (name) => {
      const parsed = JSON.parse(await readFile(join(folder, name), 'utf8')) as StoredMail;
      return {
        id: parsed.id,
        from: parsed.from,
        sentAt: parsed.sentAt,
        to: parsed.to,
        subject: parsed.subject,
        text: parsed.text,
        ...(parsed.headers ? { headers: parsed.headers } : {}),
      };
    }),
  );
  return mails;
}
