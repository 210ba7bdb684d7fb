import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';

export const MAX_UPLOAD_BYTES = 2 * 1024 * 1024;

/** An uploaded file as a form field: what the browser sent, read into memory within the size limit. */
export interface UploadedFile {
  filename: string;
  mimetype: string;
  bytes: Buffer;
  /** True when the file was larger than the limit and was cut short. */
  truncated: boolean;
}

export function isUploadedFile(value: unknown): value is UploadedFile {
  return typeof value === 'object' && value !== null && 'bytes' in value && 'truncated' in value;
}

/**
 * The file of an upload form inside a zod transform: the file, or undefined after reporting on `field`
 * what is wrong — none chosen (`choose` says what to choose) or larger than `maxBytes`, which must be the
 * limit the route gives multipart, so that the message and the limit cannot disagree.
 */
export function uploadedFile(
  value: unknown,
  ctx: z.RefinementCtx,
  options: { choose: string; maxBytes?: number; field?: string },
): UploadedFile | undefined {
  const path = [options.field ?? 'file'];
  const file = isUploadedFile(value) ? value : undefined;
  if (!file || file.bytes.length === 0) {
    ctx.addIssue({ code: 'custom', path, message: options.choose });
    return undefined;
  }
  if (file.truncated) {
    const megabytes = (options.maxBytes ?? MAX_UPLOAD_BYTES) / (1024 * 1024);
    ctx.addIssue({ code: 'custom', path, message: `The file must be smaller than ${megabytes} MB` });
    return undefined;
  }
  return file;
}

/** The image types we accept, recognised by their first bytes rather than by what the browser claims. */
export function sniffImageType(bytes: Buffer): 'image/jpeg' | 'image/png' | 'image/webp' | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (
    bytes.length >= 8 &&
    bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  ) {
    return 'image/png';
  }
  if (
    bytes.length >= 12 &&
    bytes.toString('latin1', 0, 4) === 'RIFF' &&
    bytes.toString('latin1', 8, 12) === 'WEBP'
  ) {
    return 'image/webp';
  }
  return undefined;
}

/**
 * Multipart forms arrive as plain key/value bodies like url-encoded ones, so
 * the CSRF check and zod schemas treat them the same; an oversized file is
 * flagged rather than failing the request, so the form can say so.
 */
export async function registerUploads(app: FastifyInstance): Promise<void> {
  await app.register(fastifyMultipart, {
    attachFieldsToBody: 'keyValues',
    throwFileSizeLimit: false,
    limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 60, fieldSize: 100_000 },
    async onFile(part) {
      const chunks: Buffer[] = [];
      for await (const chunk of part.file) chunks.push(chunk as Buffer);
      const file: UploadedFile = {
        filename: part.filename,
        mimetype: part.mimetype,
        bytes: Buffer.concat(chunks),
        truncated: part.file.truncated,
      };
      (part as unknown as { value: UploadedFile }).value = file;
    },
  });
}
