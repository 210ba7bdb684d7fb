import type { FastifyRequest } from 'fastify';
import { ForbiddenError } from '../errors.ts';
import type { SignedInUser } from './actor.ts';

/** The signed-in user, or a refusal that sends a visitor to sign in. */
export function requireUser(request: FastifyRequest): SignedInUser {
  const user = request.actor.user;
  if (!user) throw new ForbiddenError('You need to sign in to see this page');
  return user;
}
