import type { PlaceRole } from './roles.ts';

export interface SignedInUser {
  id: string;
  name: string;
  email: string;
  emailVerified: boolean;
  isInstanceAdmin: boolean;
}

/** Who is making a request: the person (if signed in) and their roles per place id. */
export interface Actor {
  user: SignedInUser | null;
  roles: ReadonlyMap<string, ReadonlySet<PlaceRole>>;
  requestId: string;
}

export function anonymousActor(requestId: string): Actor {
  return { user: null, roles: new Map(), requestId };
}
