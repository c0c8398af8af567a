// Fixes: the Django eager-loading edit applied to the source equals the expected source byte for
// byte, and with the matching recording the finding is gone; hints where no edit is certain; and
// ignore comments. Recordings are the bundled generated ones or built by the test.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readRecording } from '../../server/src/core/appmap/read';
import { resolveConfig } from '../../server/src/core/config';
import { Finding } from '../../server/src/core/findings/finding';
import { findingsIn } from '../support/check';
import { applyEdit, eagerLoadingFix, Fix } from '../../server/src/core/fixes/index';
import { ignoreComment, ignoreEdit, isIgnored, withoutIgnored } from '../../server/src/core/fixes/ignore';
import { SourceParsers } from '../../server/src/core/source/definitions';
import { SourceIndex } from '../../server/src/core/sourceIndex';
import { loadParsers } from '../../server/src/node/treeSitter';
import { Workspace, loadWorkspace, memoryFiles } from '../support/fixture';
import { RecordingBuilder } from '../support/recordingBuilder';
import { REPO } from '../support/corpus';

const MEETUPS = path.join(REPO, 'test/workspaces/django-meetups');
const MEETUPS_FIXED = path.join(REPO, 'test/workspaces/django-meetups-fixed');
const MEETUPS_OSCAR_STYLE = path.join(REPO, 'test/workspaces/django-meetups-oscar-style');
const RECORDING = 'tmp/appmap/pytest/test_past_meetings.generated.appmap.json';

let parsers: SourceParsers;

/** The source files of a workspace folder, in memory (so edits can be applied). */
/** The app's source files in memory, with the files of `overlays` (fixed twins) over them. */
function loadApp(dir: string, ...overlays: string[]): Workspace {
  return loadWorkspace(dir, (f) => /\.(py|html)$/.test(f), ...overlays);
}

/** The one caller of eagerLoadingFix in tests: the fix of the single N+1 of `recording` on `workspace`. */
function checkFix(workspace: Workspace, recording: string): { fix: Fix; findings: number } {
  const config = resolveConfig({});
  const index = new SourceIndex(memoryFiles(workspace), parsers, config);
  const findings = findingsIn(readRecording('r.appmap.json', recording).trace, index, config).filter((f) => f.rule === 'n-plus-one');
  assert.equal(findings.length, 1, findings.map((f) => f.message).join('; '));
  const fix = eagerLoadingFix(findings[0], index);
  assert.ok(fix);
  return { fix, findings: findings.length };
}

function findingsAfter(workspace: Workspace, recording: string): string[] {
  const config = resolveConfig({});
  const index = new SourceIndex(memoryFiles(workspace), parsers, config);
  return findingsIn(readRecording('r.appmap.json', recording).trace, index, config).map((f) => f.message);
}

/** Meetings with each relation touched per row, as the meetups template does; `sqlOf` gives the query per row. */
function meetingsRecording(perRow: ((id: number) => string)[], rows = 12): string {
  const r = new RecordingBuilder();
  r.request('GET', '/meetings/', 100, () => {
    r.call('meetups.views.MeetingList', 'get_queryset', 'meetups/views.py', 4, 0.1);
    r.call('<templates>.List', 'render', 'meetups/templates/list.html', 1, 90, () => {
      r.sql('SELECT "meetups_meeting"."id" FROM "meetups_meeting" ORDER BY "meetups_meeting"."when" ASC');
      for (let id = 1; id <= rows; id++) for (const sql of perRow) r.sql(sql(id));
    });
  });
  return r.json();
}

const venue = (id: number) => `SELECT "meetups_venue"."id" FROM "meetups_venue" WHERE "meetups_venue"."id" = ${id} LIMIT 21`;
const topics = (id: number) => `SELECT "meetups_topic"."id" FROM "meetups_topic" INNER JOIN "meetups_meeting_topics" ON ("meetups_topic"."id" = "meetups_meeting_topics"."topic_id") WHERE "meetups_meeting_topics"."meeting_id" = ${id}`;
const talks = (id: number) => `SELECT "meetups_talk"."id" FROM "meetups_talk" WHERE "meetups_talk"."meeting_id" = ${id}`;
const badges = (id: number) => `SELECT "badges"."id" FROM "badges" WHERE "badges"."owner" = ${id}`;

function meetupsWorkspace(views: string, extraModels = ''): Workspace {
  const models = `from django.db import models


class Venue(models.Model):
    name = models.CharField(max_length=200)


class Topic(models.Model):
    title = models.CharField(max_length=300)


class Meeting(models.Model):
    where = models.ForeignKey(Venue, on_delete=models.PROTECT)
    topics = models.ManyToManyField(Topic, related_name="meetings")
${extraModels}`;
  return { files: new Map([['meetups/models.py', models], ['meetups/views.py', views]]) };
}

describe('fixes', () => {
  before(async () => {
    parsers = await loadParsers();
  });

  it('turns the meetups queryset into the fixed one exactly, and the fixed run has no N+1', () => {
    const workspace = loadApp(MEETUPS);
    const { fix } = checkFix(workspace, fs.readFileSync(path.join(MEETUPS, RECORDING), 'utf8'));
    assert.equal(fix.title, 'Load eagerly: .select_related("where").prefetch_related("topics", "meeting_sponsors")');
    const views = workspace.files.get('meetups/views.py') as string;
    const fixed = applyEdit(views, fix.edit!);
    assert.equal(fixed, fs.readFileSync(path.join(MEETUPS_FIXED, 'meetups/views.py'), 'utf8'));
    workspace.files.set('meetups/views.py', fixed);
    assert.deepEqual(findingsAfter(workspace, fs.readFileSync(path.join(MEETUPS_FIXED, RECORDING), 'utf8')), []);
  });

  it('finds models declared in is_model_registered blocks on abstract models of another module (django-oscar\'s style): the same place and fix', () => {
    // django-meetups-oscar-style: meetups/models.py declares each model inside
    // `if not is_model_registered(…)`, on an abstract model of meetups/abstract_models.py reached
    // through `import *`. The models were not found: the N+1 sat on get_queryset's definition
    // line, with a hint and no edit.
    const workspace = loadApp(MEETUPS, MEETUPS_OSCAR_STYLE);
    const config = resolveConfig({});
    const index = new SourceIndex(memoryFiles(workspace), parsers, config);
    const findings = findingsIn(readRecording('r.appmap.json', fs.readFileSync(path.join(MEETUPS, RECORDING), 'utf8')).trace, index, config).filter((f) => f.rule === 'n-plus-one');
    const at = (f: Finding) => `${f.location.path}:${f.location.line}:${f.location.column}-${f.location.endLine}:${f.location.endColumn} ${f.message}`;
    assert.deepEqual(findings.map(at), ['meetups/views.py:29:16-29:80 N+1: 1,500 queries from this queryset']);
    const fix = eagerLoadingFix(findings[0], index);
    assert.equal(fix?.title, 'Load eagerly: .select_related("where").prefetch_related("topics", "meeting_sponsors")');
    assert.equal(applyEdit(workspace.files.get('meetups/views.py') as string, fix!.edit!), fs.readFileSync(path.join(MEETUPS_FIXED, 'meetups/views.py'), 'utf8'));
  });

  it('edits at UTF-16 columns when the line holds characters outside the BMP before the queryset', () => {
    const views = `class MeetingList(ListView):\n    def get_queryset(self):\n        label = "🎉 café"; return Meeting.objects.all()\n`;
    const { fix } = checkFix(meetupsWorkspace(views), meetingsRecording([venue]));
    // 8 spaces, `label = "` (9), 🎉 (2 UTF-16 units, 1 code point), ` café"; return ` (15): Meeting at 35.
    assert.deepEqual(fix.edit?.range, { path: 'meetups/views.py', line: 3, column: 35, endLine: 3, endColumn: 56 });
    assert.equal(applyEdit(views, fix.edit!), views.replace('.all()', '.all().select_related("where")'));
  });

  it('merges into select_related and prefetch_related calls already there', () => {
    const views = `class MeetingList(ListView):\n    def get_queryset(self):\n        return Meeting.objects.select_related("where").prefetch_related(\n            "meetings",\n        )\n`;
    const { fix } = checkFix(meetupsWorkspace(views), meetingsRecording([topics]));
    assert.equal(
      applyEdit(views, fix.edit!),
      `class MeetingList(ListView):\n    def get_queryset(self):\n        return Meeting.objects.select_related("where").prefetch_related(\n            "meetings", "topics",\n        )\n`,
    );
  });

  it('names reverse relations by related_name, or <model>_set without one', () => {
    const views = `class MeetingList(ListView):\n    def get_queryset(self):\n        return Meeting.objects.all()\n`;
    const talk = (relatedName: string) => `\n\nclass Talk(models.Model):\n    meeting = models.ForeignKey("Meeting", on_delete=models.CASCADE${relatedName})\n`;
    const named = checkFix(meetupsWorkspace(views, talk(', related_name="talks"')), meetingsRecording([venue, talks]));
    assert.equal(applyEdit(views, named.fix.edit!), views.replace('.all()', '.all().select_related("where").prefetch_related("talks")'));
    const unnamed = checkFix(meetupsWorkspace(views, talk('')), meetingsRecording([talks]));
    assert.equal(applyEdit(views, unnamed.fix.edit!), views.replace('.all()', '.all().prefetch_related("talk_set")'));
  });

  it('gives a hint, and no edit, where a repeated query matches no relation or the call is dynamic', () => {
    const views = `class MeetingList(ListView):\n    def get_queryset(self):\n        return Meeting.objects.all()\n`;
    const { fix } = checkFix(meetupsWorkspace(views), meetingsRecording([venue, badges]));
    assert.deepEqual(fix, {
      title: 'Load eagerly (hint): select_related("where")',
      hint: 'add select_related("where") to the queryset at meetups/views.py:3:16; the repeated queries on badges match no relation of Meeting and need loading by hand',
    });
    const dynamic = `class MeetingList(ListView):\n    def get_queryset(self):\n        return Meeting.objects.select_related(*self.related)\n`;
    const second = checkFix(meetupsWorkspace(dynamic), meetingsRecording([venue]));
    assert.equal(second.fix.edit, undefined);
    assert.equal(second.fix.hint, 'add select_related("where") to the queryset at meetups/views.py:3:16; merge them into the existing calls by hand');
  });

  it('gives a hint for code without a known ORM edit, naming the association for Rails', () => {
    const r = new RecordingBuilder();
    r.call('Feed', 'show', 'app/views/feed/show.html.erb', 1, 50, () => {
      r.sql('SELECT "microposts".* FROM "microposts" LIMIT 30');
      for (let id = 1; id <= 10; id++) r.sql(`SELECT "users".* FROM "users" WHERE "users"."id" = ${id} LIMIT 1`);
    });
    const { fix } = checkFix({ files: new Map([['app/views/feed/show.html.erb', '<% @microposts.each do |m| %><%= m.user.name %><% end %>\n']]) }, r.json());
    assert.deepEqual(fix, {
      title: 'How to load eagerly (hint)',
      hint: 'the code around app/views/feed/show.html.erb:1 loads users (by users.id) one query per row; where that collection is queried, add .includes(:user) (check the association names in the models)',
    });
  });

  it('writes ignore comments in the file\'s own syntax and honours them on the line or the line above', () => {
    assert.deepEqual(
      ['a.py', 'a.rb', 'a.ts', 'A.java', 'v.html.erb', 'meetups/templates/x.html', 'q.sql'].map((p) => ignoreComment('n-plus-one', p)),
      ['# runlens: ignore n-plus-one', '# runlens: ignore n-plus-one', '// runlens: ignore n-plus-one', '// runlens: ignore n-plus-one', '<%# runlens: ignore n-plus-one %>', '{# runlens: ignore n-plus-one #}', '-- runlens: ignore n-plus-one'],
    );
    const at = { path: 'a.py', line: 3, column: 5 };
    assert.equal(isIgnored('n-plus-one', at, 'x\n    # runlens: ignore n-plus-one\n    q = M.objects.all()\n'), true);
    assert.equal(isIgnored('n-plus-one', at, 'x\ny\n    q = M.objects.all()  # runlens: ignore slow-call, n-plus-one\n'), true);
    assert.equal(isIgnored('n-plus-one', at, 'x\ny\n    q = M.objects.all()  # runlens: ignore\n'), true);
    assert.equal(isIgnored('n-plus-one', at, 'x\n    # runlens: ignore slow-call\n    q = M.objects.all()\n'), false);
    assert.equal(isIgnored('n-plus-one', at, '# runlens: ignore n-plus-one\ny\n    q = M.objects.all()\n'), false);
  });

  it('puts the ignore comment above the finding, and scan-style filtering then drops it', () => {
    const workspace = loadApp(MEETUPS);
    const config = resolveConfig({});
    const index = new SourceIndex(memoryFiles(workspace), parsers, config);
    const recording = fs.readFileSync(path.join(MEETUPS, RECORDING), 'utf8');
    const [finding] = findingsIn(readRecording('r.appmap.json', recording).trace, index, config);
    const views = workspace.files.get('meetups/views.py') as string;
    const edit = ignoreEdit(finding, views);
    assert.deepEqual(edit, { line: 29, newText: '        # runlens: ignore n-plus-one\n' });
    const lines = views.split('\n');
    lines.splice(edit.line - 1, 0, edit.newText.replace(/\n$/, ''));
    workspace.files.set('meetups/views.py', lines.join('\n'));
    const index2 = new SourceIndex(memoryFiles(workspace), parsers, config);
    const again = findingsIn(readRecording('r.appmap.json', recording).trace, index2, config);
    assert.equal(again.length, 1);
    assert.deepEqual(withoutIgnored(again, (p) => index2.text(p)), []);
  });
});
