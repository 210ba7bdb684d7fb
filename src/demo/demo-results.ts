import type { Actor } from '../platform/auth/actor.ts';
import type { PlaceSummary } from '../platform/views/place-context.ts';
import type { Services } from '../services.ts';

/**
 * "You said, we did" for Riverside's decisions: one budget project done, a programme of works in progress
 * grouping the other decisions from residents (its progress rolled up from them), and the assembly's
 * recommendation dropped with its reason. Every word is invented.
 */
export async function seedDemoResults(deps: Services, place: PlaceSummary, people: { officer: Actor }) {
  const { results } = deps;
  const { officer } = people;
  const { results: all } = await results.listResults(officer, place, {}, { limit: 100, offset: 0 });
  const projects = all.filter((r) => r.source.kind === 'budget_project');
  const proposals = all.filter((r) => r.source.kind === 'proposal');
  const recommendations = all.filter((r) => r.source.kind === 'assembly_recommendation');
  const update = (
    id: string,
    body: string,
    status: 'not_started' | 'in_progress' | 'done' | 'dropped',
    progress: number,
    extra: { spent?: string; dropReason?: string } = {},
  ) =>
    results.postUpdate(officer, place, id, {
      body,
      status,
      progress,
      spent: extra.spent ?? null,
      dropReason: extra.dropReason ?? '',
      photo: undefined,
    });

  const [first, ...others] = projects;
  if (first) {
    await update(first.id, 'The supplier has been chosen and work starts next month.', 'in_progress', 10);
    await update(first.id, 'Finished and open to everyone. Thank you to all who voted for it.', 'done', 100, {
      spent: first.budgeted ?? undefined,
    });
  }

  const parts = [...proposals, ...others];
  if (parts.length > 0) {
    const programmeId = await results.createResult(officer, place, {
      title: 'Greener streets programme 2027',
      summary:
        'One programme of works for the street and park changes residents asked for, so that contractors visit each street once.',
      parentId: null,
      startsOn: '2027-03-01',
      endsOn: '2027-12-31',
      budgeted: null,
      currency: 'GBP',
    });
    for (const [i, part] of parts.entries()) {
      await results.editResult(officer, place, part.id, {
        title: part.title,
        summary: '',
        parentId: programmeId,
        startsOn: part.startsOn,
        endsOn: part.endsOn,
        budgeted: part.budgeted,
        currency: part.currency,
      });
      const progress = [60, 25, 40][i % 3]!;
      await update(
        part.id,
        'Surveys are done and the first stretch of work has begun.',
        'in_progress',
        progress,
      );
    }
    await update(
      programmeId,
      'Contractors are booked street by street. Progress shown here is worked out from each part.',
      'in_progress',
      0,
    );
  }

  for (const r of recommendations.slice(0, 1)) {
    await update(r.id, 'We looked at this with the regional transport authority.', 'dropped', 0, {
      dropReason:
        'Fares are set by the regional transport authority, not the council; we have passed the recommendation on and will report their answer here.',
    });
  }
}
