import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { actionText, EXPORT_FORMAT, exportSections, type SubjectAccessExport } from './subject-access.ts';

const base: SubjectAccessExport = {
  format: EXPORT_FORMAT,
  generatedAt: '2026-11-28T10:00:00.000Z',
  place: { name: 'Riverside', slug: 'riverside' },
  request: { id: 'r', reason: 'SAR-1', requestedBy: 'Pat Admin', requestedAt: '2026-11-28T10:00:00.000Z' },
  about: { reference: 'NB-1', programme: 'Zone', cohort: 'Year 7', setting: 'Northbank' },
  tables: {
    participants: [{ id: 'p', place_id: 'x', given_name: 'Jordan', legal_hold: false, link_worker_id: 'u1' }],
    participant_contacts: [{ id: 'c', participant_id: 'p', contact_on: '2021-02-03', notes: 'Met at home.' }],
    a_future_table: [{ id: 'f', participant_id: 'p', what: 'Something new' }],
  },
  names: { users: { u1: 'Leah Brennan' }, organizations: {}, teams: {}, indicators: {} },
  accessLog: [],
};

describe('the readable subject access page', () => {
  it('shows the record as a summary with names for ids, and hides linking columns', () => {
    const [record] = exportSections(base);
    assert.equal(record!.kind, 'summary');
    assert.deepEqual(record!.headers, ['Given name', 'Legal hold', 'Link worker']);
    assert.deepEqual(record!.rows, [['Jordan', 'No', 'Leah Brennan']]);
  });

  it('shows a table it has no title for after the known ones, so nothing held is left off', () => {
    const sections = exportSections(base);
    assert.deepEqual(
      sections.map((s) => s.title),
      ['The record', 'Contact log', 'A future table'],
    );
    assert.deepEqual(sections[2]!.rows, [['Something new']]);
  });

  it('words audit actions', () => {
    assert.equal(actionText('participant.legal_hold_set'), 'Legal hold set');
    assert.equal(actionText('referral.sent'), 'Referral sent');
  });
});
