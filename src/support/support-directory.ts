import type { DirectoryService } from '../directory/directory.service.ts';
import type { Actor } from '../platform/auth/actor.ts';
import { can } from '../platform/auth/policy.ts';
import type { PlaceSummary } from '../platform/views/place-context.ts';
import type { SupportDirectory } from './programmes/programmes.service.ts';

/**
 * What the support pillar asks of the directory, through the directory's own service (never its tables).
 * A setting's staff are the members of its organisation. Officers manage every organisation, so they are nobody's school staff here.
 */
export function supportDirectoryFrom(directory: DirectoryService): SupportDirectory {
  return {
    organizationOptions: (place, kinds) => directory.organizationOptions(place, kinds),
    async memberOrganizationIds(actor: Actor, place: PlaceSummary): Promise<string[]> {
      // Membership alone does not make someone staff: they must still hold the organisation_member role.
      if (!can(actor, 'directory.manage', place.id) || can(actor, 'directory.manage_all', place.id))
        return [];
      return directory.memberOrganizationIds(actor, place);
    },
  };
}
