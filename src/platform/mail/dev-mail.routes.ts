import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../errors.ts';
import { readMailFolder } from './mailer.ts';

/** The development mailbox: every message the platform has sent, readable in the browser. Never in production. */
export function devMailRoutes(app: FastifyInstance, folder: string): void {
  app.get('/dev/mail', async (_request, reply) => {
    const mails = await readMailFolder(folder);
    return reply.page('platform/mail/views/mailbox.njk', {
      title: 'Development mailbox',
      mails: mails.slice(0, 100),
      total: mails.length,
    });
  });

  app.get<{ Params: { id: string } }>('/dev/mail/:id', async (request, reply) => {
    const mail = (await readMailFolder(folder)).find((m) => m.id === request.params.id);
    if (!mail) throw new NotFoundError();
    return reply.page('platform/mail/views/message.njk', {
      title: mail.subject,
      mail,
      links: mail.text.match(/https?:\/\/\S+/g) ?? [],
      backLink: '/dev/mail',
    });
  });
}
