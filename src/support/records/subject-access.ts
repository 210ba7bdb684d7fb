/**
 * A subject access export: everything held on one child, as data (the JSON download) and as sections for
 * the readable page. Pure: the service gathers the rows, this shapes them.
 */

type Row = Record<string, unknown>;

export const EXPORT_FORMAT = 'commonweal.subject-access.v1';

export interface SubjectAccessExport {
  format: typeof EXPORT_FORMAT;
  generatedAt: string;
  place: { name: string; slug: string };
  request: { id: string; reason: string; requestedBy: string | null; requestedAt: string };
  about: { reference: string; programme: string; cohort: string; setting: string };
  /** Every table holding the child's data, by table name, rows as stored (two family-member columns aside). */
  tables: Record<string, Row[]>;
  /** Names for the ids in the rows: people (staff and linked family accounts, names only), and the rest. */
  names: {
    users: Record<string, string>;
    organizations: Record<string, string>;
    teams: Record<string, string>;
    indicators: Record<string, string>;
  };
  /** Who viewed or changed the record, and when. */
  accessLog: { at: string; who: string | null; roles: string[]; action: string }[];
}

const USER_COLUMNS = new Set([
  'actor_id',
  'assigned_by',
  'author_id',
  'changed_by',
  'decided_by',
  'invited_by',
  'lead_id',
  'lifted_by',
  'link_worker_id',
  'marked_by',
  'rated_by',
  'raised_by',
  'recorded_by',
  'referred_by',
  'requested_by',
  'resolved_by',
  'set_by',
  'signed_by',
  'user_id',
  'withdrawn_by',
]);
const ORGANIZATION_COLUMNS = new Set(['organization_id', 'session_organization_id']);

/** The ids a set of rows mentions, so the service can look their names up in one query per kind. */
export function idsMentioned(tables: Record<string, Row[]>) {
  const users = new Set<string>();
  const organizations = new Set<string>();
  const teams = new Set<string>();
  const indicators = new Set<string>();
  for (const rows of Object.values(tables)) {
    for (const row of rows) {
      for (const [column, value] of Object.entries(row)) {
        if (typeof value !== 'string') continue;
        if (USER_COLUMNS.has(column)) users.add(value);
        else if (ORGANIZATION_COLUMNS.has(column)) organizations.add(value);
        else if (column === 'team_id') teams.add(value);
        else if (column === 'indicator_id') indicators.add(value);
      }
    }
  }
  return {
    users: [...users],
    organizations: [...organizations],
    teams: [...teams],
    indicators: [...indicators],
  };
}

/** Dates as ISO strings, so that the JSON and the page read the same values on both database drivers. */
export function plain(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

// --- The readable page ---------------------------------------------------------------------------------------

/** Section titles in reading order; a table not named here still appears, after these, under its own name. */
const SECTIONS: [table: string, title: string][] = [
  ['participants', 'The record'],
  ['participant_transitions', 'Stages (enrolment history)'],
  ['participant_assignments', 'Assignments to teams and link workers'],
  ['participant_assignment_reasons', 'Reasons for assignments'],
  ['participant_agreements', 'Agreements to the service'],
  ['participant_lawful_bases', 'Lawful bases'],
  ['participant_sharing_decisions', 'Information-sharing decisions'],
  ['participant_contacts', 'Contact log'],
  ['safeguarding_concerns', 'Safeguarding concerns'],
  ['support_plans', 'Support plan'],
  ['support_plan_versions', 'Support plan versions'],
  ['support_goal_ratings', 'Goal ratings'],
  ['support_plan_comments', 'Comments on the plan'],
  ['support_plan_signoffs', 'Sign-offs of the plan'],
  ['family_members', 'Family links'],
  ['support_referrals', 'Referrals to partners'],
  ['support_session_attendees', 'Session attendance'],
  ['support_outcome_observations', 'Outcome observations'],
  ['participant_legal_holds', 'Legal holds'],
  ['participant_subject_access_requests', 'Subject access requests'],
];

/** Columns that only link rows together and mean nothing to a reader. */
const HIDDEN = new Set(['id', 'place_id', 'participant_id', 'plan_id', 'assignment_id', 'session_id']);

export interface Section {
  id: string;
  title: string;
  table: string;
  /** One summary list per row (the record, and wide rows), or a table of rows. */
  kind: 'summary' | 'table';
  headers: string[];
  rows: string[][];
}

function label(column: string): string {
  const text = column
    .replace(/^session_/, 'session ')
    .replace(/_id$/, '')
    .replace(/_on$/, ' (date)')
    .replace(/_at$/, ' (time)')
    .replaceAll('_', ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function planContentText(content: Row): string {
  const list = (key: string) => (Array.isArray(content[key]) ? (content[key] as Row[]) : []);
  const parts = [
    `Goals: ${
      list('goals')
        .map((g) => String(g.text))
        .join('; ') || 'none'
    }`,
    `Support: ${
      list('components')
        .map((c) => `${c.kind}: ${c.description}${c.provider ? ` (${c.provider})` : ''}`)
        .join('; ') || 'none'
    }`,
    `Actions: ${
      list('actions')
        .map((a) => `${a.text} (${a.owner}, due ${a.dueOn}${a.done ? ', done' : ''})`)
        .join('; ') || 'none'
    }`,
    `Review dates: ${(Array.isArray(content.reviewDates) ? content.reviewDates : []).join(', ') || 'none'}`,
  ];
  return parts.join('. ');
}

function cell(column: string, value: unknown, names: SubjectAccessExport['names']): string {
  if (value === null || value === undefined || value === '') return '';
  if (typeof value === 'string') {
    if (USER_COLUMNS.has(column)) return names.users[value] ?? 'A deleted account';
    if (ORGANIZATION_COLUMNS.has(column)) return names.organizations[value] ?? 'An organisation';
    if (column === 'team_id') return names.teams[value] ?? 'A team';
    if (column === 'indicator_id') return names.indicators[value] ?? 'An outcome measure';
    const time = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(value);
    return time ? `${time[1]} ${time[2]} UTC` : value;
  }
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (Array.isArray(value))
    return value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', ');
  if (typeof value === 'object') {
    if (column === 'content') return planContentText(value as Row);
    return Object.entries(value as Row)
      .map(([k, v]) => `${k}: ${v ?? 'not known'}`)
      .join('; ');
  }
  return String(value);
}

/** An audit action as words, for the page: `participant.legal_hold_set` → “Legal hold set”. */
export function actionText(action: string): string {
  const text = (action.startsWith('participant.') ? action.slice('participant.'.length) : action)
    .replaceAll('.', ' ')
    .replaceAll('_', ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function exportSections(data: SubjectAccessExport): Section[] {
  const known = new Set(SECTIONS.map(([t]) => t));
  const order = [
    ...SECTIONS,
    ...Object.keys(data.tables)
      .filter((t) => !known.has(t))
      .sort()
      .map((t): [string, string] => [t, label(t)]),
  ];
  return order
    .filter(([table]) => table in data.tables)
    .map(([table, title]) => {
      const rows = data.tables[table] ?? [];
      const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((c) => !HIDDEN.has(c));
      return {
        id: table.replaceAll('_', '-'),
        title,
        table,
        // Wide rows read (and print) better as one summary list each than as a table that overflows.
        kind: table === 'participants' || columns.length > 5 ? ('summary' as const) : ('table' as const),
        headers: columns.map(label),
        rows: rows.map((r) => columns.map((c) => cell(c, r[c], data.names))),
      };
    });
}
