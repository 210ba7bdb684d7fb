import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NotFoundError } from '../errors.ts';
import { readMailFolder } from './mailer.ts';

/** The development mailbox: every message the platform has sent, readable in the browser. Never in production. */
export function devMailRoutes(app: FastifyInstance, folder: string): void {
  // The mailbox holds live sign-in and reset links: only this machine or an instance admin may read it.
  const allowed = (request: FastifyRequest) =>
    ['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(request.ip) ||
    request.actor.user?.isInstanceAdmin === true;

  app.get('/dev/mail', async (request, reply) => {
    if (!allowed(request)) throw new NotFoundError();
    const mails = await readMailFolder(folder);
    return reply.page('platform/mail/views/mailbox.njk', {
      title: 'Development mailbox',
      mails: mails.slice(0, 100),
      total: mails.length,
    });
  });

  app.get<{ Params: { id: string } }>('/dev/mail/:id', async (request, reply) => {
    if (!allowed(request)) throw new NotFoundError();
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
