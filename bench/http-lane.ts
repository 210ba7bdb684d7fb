import { connect, type Socket } from 'node:net';

/**
 * One keep-alive HTTP/1.1 connection that sends a request and waits for its whole response, with
 * nothing more than a socket: the load generator should take as little as it can of the CPU that the
 * server and the database share on one machine (node:http's client costs about as much per request
 * as the server's own framework). Answers with a Content-Length or chunked body are read; the status
 * code is returned and the body dropped.
 */
export class HttpLane {
  readonly #socket: Socket;
  #buffered: Buffer = Buffer.alloc(0);
  #waiting: { resolve: (status: number) => void; reject: (error: Error) => void } | null = null;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#buffered = this.#buffered.length === 0 ? chunk : Buffer.concat([this.#buffered, chunk]);
      this.#tryFinish();
    });
    const fail = (error: Error) => {
      const waiting = this.#waiting;
      this.#waiting = null;
      waiting?.reject(error);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('The server closed the connection')));
  }

  static open(baseUrl: string): Promise<HttpLane> {
    const url = new URL(baseUrl);
    return new Promise((resolve, reject) => {
      const socket = connect({ host: url.hostname, port: Number(url.port) }, () => {
        socket.setNoDelay(true);
        resolve(new HttpLane(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Posts a form and resolves with the response's status code once the whole response has arrived. */
  postForm(path: string, host: string, cookie: string, body: string): Promise<number> {
    if (this.#waiting) throw new Error('One request at a time on a lane');
    const head =
      `POST ${path} HTTP/1.1\r\nhost: ${host}\r\ncookie: ${cookie}\r\n` +
      `content-type: application/x-www-form-urlencoded\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`;
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
      this.#socket.write(head + body);
    });
  }

  close(): void {
    this.#socket.removeAllListeners('close');
    this.#socket.end();
  }

  #tryFinish(): void {
    if (!this.#waiting) return;
    const data = this.#buffered;
    const headEnd = data.indexOf('\r\n\r\n');
    if (headEnd < 0) return;
    const head = data.subarray(0, headEnd).toString('latin1');
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    let end: number;
    if (length) {
      end = headEnd + 4 + Number(length[1]);
      if (data.length < end) return;
    } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      const found = chunkedEnd(data, headEnd + 4);
      if (found < 0) return;
      end = found;
    } else {
      end = headEnd + 4;
    }
    this.#buffered = data.subarray(end);
    const waiting = this.#waiting;
    this.#waiting = null;
    waiting.resolve(status);
  }
}

/** Where a chunked body that starts at `from` ends, or -1 while it has not all arrived. */
function chunkedEnd(data: Buffer, from: number): number {
  let at = from;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) return -1;
    const size = Number.parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    at = lineEnd + 2 + size + 2;
    if (data.length < at) return -1;
    if (size === 0) return at;
  }
}
