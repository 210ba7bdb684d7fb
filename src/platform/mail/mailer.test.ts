import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { createMailer, readMailFolder } from './mailer.ts';

const received: { from: string; to: string[]; data: string }[] = [];
let server: SMTPServer;
let port: number;

before(async () => {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      let data = '';
      stream.on('data', (chunk: Buffer) => {
        data += chunk.toString('utf8');
      });
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          data,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.server.address() as AddressInfo).port;
});
after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('the mailer', () => {
  it('sends through the SMTP server in SMTP_URL', async () => {
    const mailer = createMailer({
      smtpUrl: `smtp://127.0.0.1:${port}`,
      folder: '/nonexistent',
      from: 'Commonweal <no-reply@commonweal.test>',
    });
    assert.equal(mailer.folder, undefined);
    await mailer.send({
      to: 'resident@example.test',
      subject: 'Hello from the test',
      text: 'Line one\nhttp://x/y',
    });
    assert.equal(received.length, 1);
    assert.deepEqual(received[0]!.to, ['resident@example.test']);
    assert.equal(received[0]!.from, 'no-reply@commonweal.test');
    assert.match(received[0]!.data, /Subject: Hello from the test/);
    assert.match(received[0]!.data, /Line one/);
  });

  it('writes each message to the folder, newest first, without SMTP_URL', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'cw-mailer-'));
    try {
      const mailer = createMailer({
        smtpUrl: undefined,
        folder,
        from: 'Commonweal <no-reply@commonweal.test>',
      });
      await mailer.send({ to: 'a@example.test', subject: 'First', text: 'one' });
      await mailer.send({ to: 'b@example.test', subject: 'Second', text: 'two' });
      const mails = await readMailFolder(folder);
      assert.deepEqual(
        mails.map((m) => [m.to, m.subject, m.text]),
        [
          ['b@example.test', 'Second', 'two'],
          ['a@example.test', 'First', 'one'],
        ],
      );
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
