import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { addDays, today } from '../src/participation/processes/phases.ts';
import { TEST_PASSWORD } from '../src/testing/harness.ts';
import { browserMissing } from './support/browser.ts';
import { useE2e } from './support/fixture.ts';
import {
  expectHeading,
  expectScriptsOff,
  fill,
  follow,
  navigateBy,
  pathOf,
  signIn,
  submit,
  successBanners,
  textOf,
  textsOf,
  visit,
} from './support/journeys.ts';

const AUTHOR = { email: 'priya@example.org', name: 'Priya Shah' };
const NEIGHBOUR = { email: 'owen@example.org', name: 'Owen Price' };
const REPORTER = { email: 'lin@example.org', name: 'Lin Chen' };
const MODERATOR = { email: 'sam@example.org', name: 'Sam Moore' };
const OFFICER = { email: 'dee@example.org', name: 'Dee Okafor' };
const SCRIPTLESS = { email: 'noor@example.org', name: 'Noor Haddad' };

const PLACE_PATH = '/places/riverside';
const PROCESS_TITLE = 'Safer streets for Riverside';
const PROPOSAL = {
  title: 'A zebra crossing outside Riverside Primary',
  body: 'Children cross Mill Lane at closing time with no crossing. A zebra crossing by the school gate would slow the traffic down.',
  category: 'Transport',
};
const SEEDED_TITLE = 'Benches along the towpath';
const COMMENT = 'A crossing here would make the school run much safer.';
const REPLY = 'The lollipop warden says mornings are the worst.';
const ANSWER_REASON = 'Highways will build the crossing over the summer holidays.';

/** Follows a link styled as a button (role="button"), such as "Make a proposal". */
function pressLink(page: Page, name: string): Promise<number> {
  return navigateBy(page, () => page.locator('main').getByRole('button', { name, exact: true }).click());
}

/**
 * One comment on the page: its article (replies included), its heading, what
 * sits directly in it but not in its replies, and a selector for its own list
 * of links (Reply, Report and so on).
 */
function commentById(
  page: Page,
  id: string,
): { article: Locator; heading: Locator; actions: Locator; links: string } {
  return {
    article: page.locator(`article#comment-${id}`),
    heading: page.locator(`#comment-${id}-heading`),
    actions: page.locator(`article#comment-${id} > :not(ol)`),
    links: `article#comment-${id} > ul`,
  };
}

/** A pattern that matches the text as it is. */
function literally(text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}

/** The comment id in the address after posting a comment, from its #comment-… anchor. */
function commentIdFromUrl(page: Page): string {
  const hash = new URL(page.url()).hash;
  const match = hash.match(/^#comment-([0-9a-f-]{36})$/);
  assert.ok(match, `The address ${page.url()} points at a comment`);
  return match[1]!;
}

async function supportCount(page: Page): Promise<string> {
  return textOf(page.locator('.cw-support-box .govuk-heading-l'));
}

async function openProcess(page: Page): Promise<void> {
  assert.equal(await follow(page, 'Have your say', 'nav[aria-label="Menu"]'), 200);
  await expectHeading(page, 'Have your say');
  assert.equal(await follow(page, PROCESS_TITLE, 'main'), 200);
  await expectHeading(page, PROCESS_TITLE);
}

async function postComment(page: Page, text: string, stance: string): Promise<void> {
  await fill(page, { 'Add a comment': text });
  await page.getByRole('radio', { name: stance, exact: true }).check();
  assert.equal(await submit(page, 'Post comment'), 200);
  assert.deepEqual(await successBanners(page), ['Success Your comment has been posted.']);
}

// Counted as a skipped test (not only a skipped suite) when Chromium is missing.
if (browserMissing) it('Participation in the browser', { skip: browserMissing }, () => {});

describe('Participation in the browser', { skip: browserMissing }, () => {
  const e2e = useE2e();
  let proposalPath = '';
  let listPath = '';
  let seededPath = '';
  let commentId = '';
  let replyId = '';
  let author: Page;
  let reporter: Page;

  /** A new person in their own context, who gives up on a missing element after 10 seconds. */
  async function newPerson(options: { javaScriptEnabled?: boolean } = {}): Promise<Page> {
    const page = await e2e.newPage(options);
    page.setDefaultTimeout(10_000);
    return page;
  }

  before(async () => {
    const t = e2e.app.t;
    const place = await t.createPlace('riverside', 'Riverside');
    const resident = [{ placeId: place.id, role: 'resident' as const }];
    const authorId = await t.createUser({ ...AUTHOR, roles: resident });
    await t.createUser({ ...NEIGHBOUR, roles: resident });
    await t.createUser({ ...REPORTER, roles: resident });
    await t.createUser({ ...SCRIPTLESS, roles: resident });
    await t.createUser({ ...MODERATOR, roles: [{ placeId: place.id, role: 'moderator' }] });
    await t.createUser({ ...OFFICER, roles: [{ placeId: place.id, role: 'officer' }] });
    const on = today();
    const processId = await t.createProcess({
      placeId: place.id,
      title: PROCESS_TITLE,
      categories: ['Parks', 'Transport'],
      phases: [
        {
          name: 'Proposals',
          startsOn: addDays(on, -7),
          endsOn: addDays(on, 30),
          allows: ['propose', 'support', 'comment'],
        },
      ],
    });
    listPath = `${PLACE_PATH}/processes/${processId}/proposals`;
    const seededId = await t.createProposal({
      placeId: place.id,
      processId,
      authorId,
      title: SEEDED_TITLE,
      body: 'Somewhere to sit between the lock and the bridge, for walkers who need a rest.',
      category: 'Parks',
    });
    seededPath = `${listPath}/${seededId}`;
  });

  it('lets a resident make a proposal, after an error summary for the empty form', async () => {
    author = await newPerson();
    await signIn(author, AUTHOR.email, TEST_PASSWORD, PLACE_PATH);
    await expectHeading(author, 'Riverside');
    await openProcess(author);

    assert.equal(await pressLink(author, 'Make a proposal'), 200);
    assert.equal(pathOf(author), `${listPath}/new`);
    await expectHeading(author, 'Make a proposal');

    assert.equal(await submit(author, 'Publish proposal'), 400);
    assert.match(await author.title(), /^Error: /);
    const summary = author.locator('.govuk-error-summary');
    assert.equal(await textOf(summary.locator('h2')), 'There is a problem');
    const links = await summary
      .locator('a')
      .evaluateAll((as) => as.map((a) => [a.getAttribute('href'), a.textContent?.trim()]));
    assert.deepEqual(links, [
      ['#title', 'Enter a title'],
      ['#body', 'Describe your proposal in at least 20 characters'],
    ]);
    for (const [href] of links) assert.equal(await author.locator(href!).count(), 1, `${href} exists`);

    await fill(author, { Title: PROPOSAL.title, 'Your proposal': PROPOSAL.body });
    await author.getByLabel('Category', { exact: true }).selectOption(PROPOSAL.category);
    assert.equal(await submit(author, 'Publish proposal'), 200);
    assert.match(pathOf(author), new RegExp(`^${listPath}/[0-9a-f-]{36}$`));
    proposalPath = pathOf(author);
    await expectHeading(author, PROPOSAL.title);
    assert.deepEqual(await successBanners(author), [
      'Success Your proposal has been published. You will be told when people comment on it or when it gets an answer.',
    ]);
    assert.match(await textOf(author.locator('main')), new RegExp(`By ${AUTHOR.name}, .* · Transport`));
    assert.equal(await supportCount(author), '0');
    assert.equal(await author.getByRole('button', { name: 'Support this proposal' }).count(), 0);
    assert.equal(await author.getByRole('button', { name: 'Stop following this proposal' }).count(), 1);
  });

  it('lets a neighbour find it, support it, comment and reply', async () => {
    const page = await newPerson();
    await signIn(page, NEIGHBOUR.email, TEST_PASSWORD, PLACE_PATH);
    await openProcess(page);
    assert.equal(await pressLink(page, 'See the proposals'), 200);
    await expectHeading(page, 'Proposals');
    assert.equal(await textOf(page.getByRole('status')), 'Showing 1 to 2 of 2 proposals.');

    await fill(page, { Search: 'zebra crossing' });
    assert.equal(await submit(page, 'Apply'), 200);
    assert.equal(pathOf(page).split('?')[0], listPath);
    assert.equal(
      await textOf(page.getByRole('status')),
      'Showing 1 to 1 of 1 proposals for “zebra crossing”.',
    );
    assert.deepEqual(await textsOf(page.locator('.cw-card h2')), [PROPOSAL.title]);

    assert.equal(await follow(page, PROPOSAL.title, 'main'), 200);
    assert.equal(pathOf(page), proposalPath);
    assert.equal(await supportCount(page), '0');
    assert.equal(await submit(page, 'Support this proposal'), 200);
    assert.equal(pathOf(page), proposalPath);
    assert.equal(await supportCount(page), '1');
    assert.equal(await textOf(page.locator('.cw-support-box strong')), 'You support this proposal.');
    assert.equal(await page.getByRole('button', { name: 'Withdraw my support' }).count(), 1);

    await postComment(page, COMMENT, 'In favour');
    assert.equal(pathOf(page), proposalPath);
    commentId = commentIdFromUrl(page);
    const comment = commentById(page, commentId);
    assert.equal(await textOf(comment.heading), `${NEIGHBOUR.name} (you)`);
    assert.match(await textOf(comment.article), literally(`In favour ${COMMENT}`));

    assert.equal(await follow(page, `Reply to ${NEIGHBOUR.name}`, comment.links), 200);
    await expectHeading(page, `Reply to ${NEIGHBOUR.name}`);
    assert.match(await textOf(page.locator('main .govuk-inset-text')), literally(COMMENT));
    await fill(page, { 'Your reply': REPLY });
    await page.getByRole('radio', { name: 'Neutral', exact: true }).check();
    assert.equal(await submit(page, 'Post reply'), 200);
    assert.equal(pathOf(page), proposalPath);
    assert.deepEqual(await successBanners(page), ['Success Your comment has been posted.']);
    replyId = commentIdFromUrl(page);

    assert.equal(await textOf(page.locator('#comments-heading')), '2 comments');
    const nested = page.locator(`article#comment-${commentId} ol[aria-label="1 reply to ${NEIGHBOUR.name}"]`);
    assert.equal(
      await nested.locator(`article#comment-${replyId}`).count(),
      1,
      'the reply is under the comment',
    );
    assert.match(await textOf(commentById(page, replyId).article), literally(`Neutral ${REPLY}`));
    // No one agrees or disagrees with their own words.
    assert.equal(await page.getByRole('button', { name: /^(Agree|Disagree)/ }).count(), 0);
    assert.equal(
      await textOf(comment.actions.filter({ hasText: 'agreed' })),
      '0 agreed with this comment, 0 disagreed',
    );
  });

  it('lets another resident agree with the reply and report the comment', async () => {
    reporter = await newPerson();
    await signIn(reporter, REPORTER.email, TEST_PASSWORD, proposalPath);
    await expectHeading(reporter, PROPOSAL.title);
    assert.equal(await supportCount(reporter), '1');

    const reply = commentById(reporter, replyId);
    const agree = reply.actions.getByRole('button', {
      name: `Agree with this comment by ${NEIGHBOUR.name} (0)`,
      exact: true,
    });
    assert.equal(await navigateBy(reporter, () => agree.click()), 200);
    assert.equal(pathOf(reporter), proposalPath);
    const agreed = commentById(reporter, replyId).actions.getByRole('button', {
      name: `Agree with this comment by ${NEIGHBOUR.name} (1)`,
      exact: true,
    });
    assert.equal(await agreed.getAttribute('aria-pressed'), 'true');

    const report = `Report this comment by ${NEIGHBOUR.name}`;
    assert.equal(await follow(reporter, report, commentById(reporter, commentId).links), 200);
    assert.equal(pathOf(reporter), `${PLACE_PATH}/reports/new?type=comment&id=${commentId}`);
    await expectHeading(reporter, 'Report this comment');
    assert.match(await textOf(reporter.locator('main .govuk-inset-text')), literally(COMMENT));

    await reporter.getByRole('radio', { name: 'Off topic', exact: true }).check();
    await fill(reporter, { 'Details (optional)': 'It is about the school run, not this crossing.' });
    assert.equal(await submit(reporter, 'Send report'), 200);
    assert.equal(pathOf(reporter), `${PLACE_PATH}/reports/done?type=comment&id=${commentId}`);
    await expectHeading(reporter, 'Report sent');
    assert.match(await textOf(reporter.locator('main')), /A moderator will look at the comment you reported/);

    assert.equal(await follow(reporter, 'Go back to where you were', 'main'), 200);
    assert.equal(pathOf(reporter), proposalPath);
  });

  it('lets a moderator hide the reported comment from the queue', async () => {
    const page = await newPerson();
    await signIn(page, MODERATOR.email, TEST_PASSWORD, PLACE_PATH);
    assert.equal(await follow(page, 'Moderation', 'nav[aria-label="Menu"]'), 200);
    assert.equal(pathOf(page), `${PLACE_PATH}/moderation`);
    await expectHeading(page, 'Moderation');

    const rows = page.locator('main tbody tr');
    assert.equal(await rows.count(), 1);
    const row = rows.first();
    const cells = await textsOf(row.locator('td'));
    assert.match(cells[1]!, literally(`Comment ${COMMENT}`));
    assert.equal(cells[2], NEIGHBOUR.name);
    assert.match(cells[3]!, /^1 Off topic “It is about the school run, not this crossing\.”$/);
    assert.match(cells[4]!, /^Shown /);

    await page.getByRole('checkbox', { name: `Select comment: ${COMMENT}`, exact: true }).check();
    await fill(page, { 'Reason, shown to the author': 'it is not about the crossing' });
    assert.equal(await submit(page, 'Hide'), 200);
    assert.equal(pathOf(page), `${PLACE_PATH}/moderation`);
    assert.deepEqual(await successBanners(page), ['Success 1 item hidden.']);
    assert.equal(await page.locator('main tbody tr').count(), 0);
    assert.match(await textOf(page.locator('main')), /Nothing to review\./);

    await visit(reporter, proposalPath, 200);
    const hidden = commentById(reporter, commentId);
    assert.equal(await textOf(hidden.heading), 'Comment not shown');
    assert.match(await textOf(hidden.article), /This comment was hidden by a moderator/);
    assert.doesNotMatch(await textOf(hidden.article), literally(COMMENT));
    assert.equal(await hidden.actions.getByRole('link', { name: /^(Report|Reply)/ }).count(), 0);
    assert.match(await textOf(commentById(reporter, replyId).article), literally(REPLY));
  });

  it('lets an officer answer the proposal, and tells its author', async () => {
    const page = await newPerson();
    await signIn(page, OFFICER.email, TEST_PASSWORD, proposalPath);
    await expectHeading(page, PROPOSAL.title);
    assert.match(await textOf(page.locator('main')), /The council has not answered this proposal yet\./);

    assert.equal(await follow(page, 'Give the official answer', 'main'), 200);
    await expectHeading(page, 'Give the official answer');
    await page.getByRole('radio', { name: 'Accepted', exact: true }).check();
    await fill(page, { Reason: ANSWER_REASON });
    assert.equal(await submit(page, 'Publish answer'), 200);
    assert.equal(pathOf(page), proposalPath);
    assert.deepEqual(await successBanners(page), [
      'Success The answer has been published. The proposer and followers have been told.',
    ]);
    const answer = page.locator('.cw-answer');
    assert.equal(await textOf(answer.locator('.govuk-tag')), 'Accepted');
    assert.match(await textOf(answer), literally(ANSWER_REASON));

    assert.equal(await follow(page, 'Back'), 200);
    assert.equal(pathOf(page), listPath);
    const card = page.locator('.cw-card').filter({ hasText: PROPOSAL.title });
    assert.equal(await textOf(card.locator('.govuk-tag')), 'Accepted');
    assert.match(await textOf(card), new RegExp(`^${PROPOSAL.title} Accepted Transport · by ${AUTHOR.name}`));
    assert.match(await textOf(card), /1 support · 1 comment$/);

    await visit(author, proposalPath, 200);
    assert.equal(await textOf(author.locator('.cw-answer .govuk-tag')), 'Accepted');
    const header = author.locator('header');
    assert.match(await textOf(header), /Notifications \(3 unread\)/);
    // The visually hidden "unread" is positioned, so Chromium puts a space after it in the link's name.
    const notifications = header.getByRole('link', { name: /^Notifications \(3 unread ?\)$/ });
    assert.equal(await navigateBy(author, () => notifications.click()), 200);
    assert.equal(pathOf(author), '/notifications');
    await expectHeading(author, 'Notifications');
    const titles = await textsOf(author.locator('main ul.govuk-list h2'));
    assert.deepEqual(titles, [
      `New Official answer to “${PROPOSAL.title}”: Accepted`,
      `New New comment on “${PROPOSAL.title}”`,
      `New New comment on “${PROPOSAL.title}”`,
    ]);
    assert.equal(await follow(author, `Official answer to “${PROPOSAL.title}”: Accepted`, 'main'), 200);
    assert.equal(pathOf(author), proposalPath);
    assert.match(await textOf(header), /Notifications \(2 unread\)/);
  });

  it('works without JavaScript: supporting a proposal and commenting on it', async () => {
    const page = await newPerson({ javaScriptEnabled: false });
    await signIn(page, SCRIPTLESS.email, TEST_PASSWORD, seededPath);
    await expectScriptsOff(page);
    await expectHeading(page, SEEDED_TITLE);

    assert.equal(await supportCount(page), '0');
    assert.equal(await submit(page, 'Support this proposal'), 200);
    assert.equal(pathOf(page), seededPath);
    assert.equal(await supportCount(page), '1');
    assert.equal(await textOf(page.locator('.cw-support-box strong')), 'You support this proposal.');

    await postComment(page, 'Two benches would do, one at each end.', 'Against');
    assert.equal(pathOf(page), seededPath);
    const comment = commentById(page, commentIdFromUrl(page));
    assert.equal(await textOf(comment.heading), `${SCRIPTLESS.name} (you)`);
    assert.match(await textOf(comment.article), /Against Two benches would do, one at each end\./);
    assert.equal(await textOf(page.locator('#comments-heading')), '1 comment');
  });
});
