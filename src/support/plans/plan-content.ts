import { randomUUID } from 'node:crypto';
import type { ComponentKind, PlanContent } from './support-plans.table.ts';

export const COMPONENT_KINDS: Record<ComponentKind, { label: string; plain: string }> = {
  informal: { label: 'Informal', plain: 'Help from family, friends and the community' },
  formal: { label: 'Formal', plain: 'Help from a service, like a club or a support group' },
  developmental: { label: 'Developmental', plain: 'Activities to learn, grow and try new things' },
  specialist: { label: 'Specialist', plain: 'Specialist help, like counselling or health support' },
};

export type PlanChange =
  | { kind: 'add_goal'; text: string }
  | { kind: 'edit_goal'; goalId: string; text: string }
  | {
      kind: 'add_component';
      component: ComponentKind;
      description: string;
      provider: string;
      organizationId: string | null;
    }
  | { kind: 'add_action'; text: string; owner: string; dueOn: string }
  | { kind: 'complete_action'; actionId: string }
  | { kind: 'remove_goal'; goalId: string }
  | { kind: 'remove_action'; actionId: string }
  | { kind: 'add_review'; on: string };

export type ChangeResult =
  | { ok: true; content: PlanContent; summary: string }
  | { ok: false; field: string; message: string };

export function emptyPlan(): PlanContent {
  return { goals: [], components: [], actions: [], reviewDates: [] };
}

/**
 * A plan change as a pure function of the current version: it returns the whole next version and a one-line
 * account of what changed, which the history shows. The input is never mutated, so the previous snapshot
 * stays exactly as it was stored.
 */
export function applyChange(
  current: PlanContent,
  change: PlanChange,
  newId: () => string = randomUUID,
): ChangeResult {
  const next: PlanContent = structuredClone(current);
  switch (change.kind) {
    case 'add_goal':
      if (next.goals.length >= 20)
        return { ok: false, field: 'text', message: 'A plan can have up to 20 goals' };
      next.goals.push({ id: newId(), text: change.text });
      return { ok: true, content: next, summary: `Added the goal “${change.text}”` };
    case 'edit_goal': {
      const goal = next.goals.find((g) => g.id === change.goalId);
      if (!goal) return { ok: false, field: 'text', message: 'That goal is not in the plan' };
      if (goal.text === change.text)
        return { ok: false, field: 'text', message: 'Change the words of the goal' };
      const before = goal.text;
      goal.text = change.text;
      return { ok: true, content: next, summary: `Changed the goal “${before}” to “${change.text}”` };
    }
    case 'add_component':
      if (next.components.length >= 50)
        return { ok: false, field: 'description', message: 'A plan can have up to 50 parts' };
      next.components.push({
        id: newId(),
        kind: change.component,
        description: change.description,
        provider: change.provider,
        organizationId: change.organizationId,
      });
      return {
        ok: true,
        content: next,
        summary: `Added ${COMPONENT_KINDS[change.component].label.toLowerCase()} support: ${change.description}`,
      };
    case 'add_action':
      if (next.actions.length >= 100)
        return { ok: false, field: 'text', message: 'A plan can have up to 100 actions' };
      next.actions.push({
        id: newId(),
        text: change.text,
        owner: change.owner,
        dueOn: change.dueOn,
        done: false,
      });
      return { ok: true, content: next, summary: `Added the action “${change.text}” for ${change.owner}` };
    case 'complete_action': {
      const action = next.actions.find((a) => a.id === change.actionId);
      if (!action) return { ok: false, field: 'actionId', message: 'That action is not in the plan' };
      if (action.done) return { ok: false, field: 'actionId', message: 'That action is already done' };
      action.done = true;
      return { ok: true, content: next, summary: `Marked the action “${action.text}” as done` };
    }
    case 'remove_goal': {
      // Earlier versions keep the goal, and its ratings stay in the history of those versions.
      const goal = next.goals.find((g) => g.id === change.goalId);
      if (!goal) return { ok: false, field: 'confirm', message: 'That goal is not in the plan' };
      next.goals = next.goals.filter((g) => g.id !== change.goalId);
      return { ok: true, content: next, summary: `Removed the goal “${goal.text}”` };
    }
    case 'remove_action': {
      const action = next.actions.find((a) => a.id === change.actionId);
      if (!action) return { ok: false, field: 'confirm', message: 'That action is not in the plan' };
      next.actions = next.actions.filter((a) => a.id !== change.actionId);
      return { ok: true, content: next, summary: `Removed the action “${action.text}”` };
    }
    case 'add_review':
      if (next.reviewDates.includes(change.on))
        return { ok: false, field: 'on', message: 'That review date is already in the plan' };
      next.reviewDates = [...next.reviewDates, change.on].sort();
      return { ok: true, content: next, summary: `Added a review on ${change.on}` };
  }
}

/** The first review date on or after today, for the caseload list. */
export function nextReview(content: PlanContent, on: string): string | null {
  return content.reviewDates.find((d) => d >= on) ?? null;
}

/** Whole years between a date of birth and a day, both YYYY-MM-DD. */
export function ageOn(dateOfBirth: string, on: string): number {
  const [by, bm, bd] = dateOfBirth.split('-').map(Number) as [number, number, number];
  const [y, m, d] = on.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}
