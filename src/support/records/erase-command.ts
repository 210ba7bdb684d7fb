import { parseArgs } from 'node:util';

export const ERASE_USAGE =
  'Usage: npm run erase -- [--dry-run] [--place SLUG] [--today YYYY-MM-DD (dry runs only)]';

export type EraseOptions = { dryRun: boolean; placeSlug?: string; today?: string };

/** Reads the command's arguments; a problem comes back as a message for stderr, never half an option set. */
export function parseEraseArgs(
  args: string[],
): { ok: true; options: EraseOptions } | { ok: false; message: string } {
  let values: { 'dry-run'?: boolean; place?: string; today?: string };
  try {
    values = parseArgs({
      args,
      options: { 'dry-run': { type: 'boolean' }, place: { type: 'string' }, today: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
  const dryRun = values['dry-run'] ?? false;
  if (values.place !== undefined && !/^[a-z0-9-]{1,60}$/.test(values.place)) {
    return { ok: false, message: '--place takes a place’s slug, for example riverside' };
  }
  if (values.today !== undefined) {
    // Erasing as if on another day would erase children early; asking what a later day would erase is safe.
    if (!dryRun) return { ok: false, message: '--today can be used only with --dry-run' };
    if (!/^\d{4}-\d{2}-\d{2}$/.test(values.today) || Number.isNaN(Date.parse(values.today))) {
      return { ok: false, message: '--today must be a date like 2031-09-01' };
    }
  }
  return {
    ok: true,
    options: {
      dryRun,
      ...(values.place === undefined ? {} : { placeSlug: values.place }),
      ...(values.today === undefined ? {} : { today: values.today }),
    },
  };
}
