// Every rule and the anchoring, as fixtures: a small workspace with its expected findings marked
// in the source, and a synthetic recording (built by the test, not by an agent). Findings are
// checked exactly: an unexpected one fails the test.

import * as assert from 'node:assert/strict';
import { readRecording } from '../../server/src/core/appmap/read';
import { resolveConfig } from '../../server/src/core/config';
import { ORMS } from '../../server/src/core/orm/index';
import { resolveAnchor } from '../../server/src/core/placement/index';
import { fixOf } from '../../server/src/core/fixes/index';
import { SourceParsers } from '../../server/src/core/source/definitions';
import { SourceIndex } from '../../server/src/core/sourceIndex';
import { checkFindings, checkParsers, findingsIn } from '../support/check';
import { memoryFiles, parseWorkspace } from '../support/fixture';
import { RecordingBuilder } from '../support/recordingBuilder';

let parsers: SourceParsers;

const MODELS = `
//- meetups/models.py
from django.db import models


class Venue(models.Model):
    name = models.CharField(max_length=100)


class Topic(models.Model):
    title = models.CharField(max_length=100)


class Sponsor(models.Model):
    name = models.CharField(max_length=100)


class Meeting(models.Model):
    when = models.DateTimeField()
    where = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="meetings")
    topics = models.ManyToManyField(Topic, related_name="meetings")
    meeting_sponsors = models.ManyToManyField(Sponsor, related_name="meetings")
`;

/** The meetups page as appmap-python records it: the view returns a lazy queryset, the template runs it. */
function meetupsRecording(nMeetings: number, options: { eager?: boolean } = {}): RecordingBuilder {
  const r = new RecordingBuilder();
  r.request('GET', '/meetings/past/', 420, () => {
    r.call('meetups.views.PastMeetingsView', 'get_queryset', 'meetups/views.py', 10, 0.05);
    r.call('<templates>.MeetupsTemplatesMeetupsPast_MeetingsHtml', 'render', 'meetups/templates/meetups/past_meetings.html', 1, 400, () => {
      if (options.eager) {
        r.sql(`SELECT "meetups_meeting"."id", "meetups_venue"."id" FROM "meetups_meeting" INNER JOIN "meetups_venue" ON ("meetups_meeting"."where_id" = "meetups_venue"."id") WHERE "meetups_meeting"."when" < '2026-01-01' ORDER BY "meetups_meeting"."when" ASC`);
        r.sql(`SELECT "meetups_topic"."id" FROM "meetups_topic" INNER JOIN "meetups_meeting_topics" ON ("meetups_topic"."id" = "meetups_meeting_topics"."topic_id") WHERE "meetups_meeting_topics"."meeting_id" IN (${range(nMeetings).join(', ')})`);
        r.sql(`SELECT "meetups_sponsor"."id" FROM "meetups_sponsor" INNER JOIN "meetups_meeting_meeting_sponsors" ON ("meetups_sponsor"."id" = "meetups_meeting_meeting_sponsors"."sponsor_id") WHERE "meetups_meeting_meeting_sponsors"."meeting_id" IN (${range(nMeetings).join(', ')})`);
        return;
      }
      r.sql(`SELECT "meetups_meeting"."id", "meetups_meeting"."where_id" FROM "meetups_meeting" WHERE "meetups_meeting"."when" < '2026-01-01' ORDER BY "meetups_meeting"."when" ASC`);
      for (const id of range(nMeetings)) {
        r.sql(`SELECT "meetups_venue"."id", "meetups_venue"."name" FROM "meetups_venue" WHERE "meetups_venue"."id" = ${id} LIMIT 21`);
        r.sql(`SELECT "meetups_topic"."id" FROM "meetups_topic" INNER JOIN "meetups_meeting_topics" ON ("meetups_topic"."id" = "meetups_meeting_topics"."topic_id") WHERE "meetups_meeting_topics"."meeting_id" = ${id}`);
        r.sql(`SELECT "meetups_sponsor"."id" FROM "meetups_sponsor" INNER JOIN "meetups_meeting_meeting_sponsors" ON ("meetups_sponsor"."id" = "meetups_meeting_meeting_sponsors"."sponsor_id") WHERE "meetups_meeting_meeting_sponsors"."meeting_id" = ${id}`);
      }
    });
  });
  return r;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

describe('findings', () => {
  before(async () => {
    parsers = await checkParsers();
  });

  describe('n-plus-one', () => {
    it('puts one finding with the total on the queryset that get_queryset returned (500 meetings)', () => {
      checkFindings(
        `${MODELS}
        //- meetups/views.py
        from django.utils import timezone
        from django.views.generic import ListView

        from .models import Meeting


        class PastMeetingsView(ListView):
            template_name = "meetups/past_meetings.html"

            def get_queryset(self):
                return Meeting.objects.filter(when__lt=timezone.now()).order_by("when")
        #              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ error n-plus-one: N+1: 1,500 queries from this queryset (500 × meetups_venue, 500 × meetups_topic, 500 × meetups_sponsor)
        `,
        meetupsRecording(500),
      );
    });

    it('finds nothing once the view loads eagerly', () => {
      checkFindings(
        `${MODELS}
        //- meetups/views.py
        class PastMeetingsView(ListView):
            template_name = "meetups/past_meetings.html"

            def get_queryset(self):
                return Meeting.objects.filter(when__lt=timezone.now()).order_by("when").select_related("where").prefetch_related("topics", "meeting_sponsors")
        `,
        meetupsRecording(500, { eager: true }),
      );
    });

    it('finds the queryset in the current source when the function moved since the recording', () => {
      checkFindings(
        `${MODELS}
        //- meetups/views.py
        from .models import Meeting


        def helper():
            """Added after the recording: get_queryset moved down."""
            return 1


        class PastMeetingsView(ListView):
            def get_context_data(self, **kwargs):
                return super().get_context_data(**kwargs)

            def get_queryset(self):
                meetings = Meeting.objects.filter(
        #                  ^^^^^^^^^^^^^^^^^^^^^^^ warning n-plus-one: N+1: 21 queries from this queryset (7 × meetups_venue, 7 × meetups_topic, 7 × meetups_sponsor)
                    when__lt=timezone.now(),
                ).order_by("when")
                return meetings
        `,
        meetupsRecording(7),
      );
    });

    it('finds a class-level queryset of the recorded view', () => {
      checkFindings(
        `${MODELS}
        //- meetups/views.py
        class PastMeetingsView(ListView):
            queryset = Meeting.objects.order_by("when")
        #              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ error n-plus-one: N+1: 30 queries from this queryset (10 × meetups_venue, 10 × meetups_topic, 10 × meetups_sponsor)

            def get_queryset(self):
                return super().get_queryset()
        `,
        meetupsRecording(10),
      );
    });

    it('uses the counts of AppMap: nothing at 5 repeats, a warning from 6, an error from 10', () => {
      const recording = (n: number) => {
        const r = new RecordingBuilder();
        r.call('app.Report', 'build', 'app/report.rb', 2, 50, () => {
          r.sql('SELECT "posts".* FROM "posts" LIMIT 50');
          for (const id of range(n)) r.sql(`SELECT "users".* FROM "users" WHERE "users"."id" = ${id} LIMIT 1`);
        });
        return r;
      };
      const source = `
        //- app/report.rb
        class Report
          def build
            Post.limit(50).map { |p| p.user.name }
        #   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ SEVERITY n-plus-one: N+1: COUNT queries from this query (COUNT × users)
          end
        end
        `;
      checkFindings(source.replace(/^.*SEVERITY.*\n/m, ''), recording(5));
      checkFindings(source.replace('SEVERITY', 'warning').replace(/COUNT/g, '6'), recording(6));
      checkFindings(source.replace('SEVERITY', 'error').replace(/COUNT/g, '10'), recording(10));
      checkFindings(source.replace(/^.*SEVERITY.*\n/m, ''), recording(10), { nPlusOne: { warningCount: 6, errorCount: 10, minTotalMs: 50 } });
    });

    it('sits on the statement of code that runs the SQL itself', () => {
      const r = new RecordingBuilder();
      r.request('GET', '/books', 80, () => {
        r.call('shop.books', 'list_books', 'shop/books.py', 1, 70, () => {
          r.sql('SELECT id, author_id FROM books');
          for (const id of range(12)) {
            r.call('shop.books', 'author_name', 'shop/books.py', 8, 1, () => r.sql(`SELECT name FROM authors WHERE id = ${id}`));
          }
        });
      });
      checkFindings(
        `
        //- shop/books.py
        def list_books(db):
            rows = db.execute("SELECT id, author_id FROM books").fetchall()
            return [(id, author_name(db, author_id)) for id, author_id in rows]


        def author_name(db, author_id):
            # One query per book.
            return db.execute(
                "SELECT name FROM authors WHERE id = ?", (author_id,)
        #       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ error n-plus-one: N+1: 12 queries from this statement (12 × authors)
            ).fetchone()[0]
        `,
        r,
      );
    });

    it('groups the shapes of one source query into one finding, and separate sources apart', () => {
      const r = new RecordingBuilder();
      r.request('GET', '/feed', 90, () => {
        r.call('Feed', 'show', 'app/feed.rb', 1, 80, () => {
          r.sql('SELECT "posts".* FROM "posts"');
          for (const id of range(8)) {
            r.sql(`SELECT "users".* FROM "users" WHERE "users"."id" = ${id}`);
            r.sql(`SELECT "images".* FROM "images" WHERE "images"."post_id" = ${id}`);
          }
          r.sql('SELECT "tags".* FROM "tags"');
          for (const id of range(7)) r.sql(`SELECT "taggings".* FROM "taggings" WHERE "taggings"."tag_id" = ${id}`);
        });
      });
      checkFindings(
        `
        //- app/feed.rb
        class Feed
          def show
        # ^^^^^^^^ warning n-plus-one: N+1: 16 queries in this function, exact line unknown (8 × users, 8 × images)
        # ^^^^^^^^ warning n-plus-one: N+1: 7 queries in this function, exact line unknown (7 × taggings)
          end
        end
        `,
        r,
      );
    });
  });

  it('keeps each finding\'s place by identity, so it follows edits of the source', () => {
    const workspace = parseWorkspace(`${MODELS}
      //- meetups/views.py
      class PastMeetingsView(ListView):
          def get_queryset(self):
              return Meeting.objects.filter(when__lt=timezone.now()).order_by("when")
      `);
    const files = memoryFiles(workspace);
    const config = resolveConfig({});
    const index = new SourceIndex(files, parsers, config);
    const [finding] = findingsIn(readRecording('r.appmap.json', meetupsRecording(10).json()).trace, index, config);
    assert.deepEqual([finding.ref.kind, finding.location.line, finding.location.column], ['queryset', 3, 16]);
    // Lines added above, and the queryset rewritten over two lines.
    workspace.files.set('meetups/views.py', 'import os\n\n\nclass PastMeetingsView(ListView):\n    def get_queryset(self):\n        qs = (\n            Meeting.objects.all()\n        )\n        return qs\n');
    index.invalidate('meetups/views.py');
    assert.deepEqual(resolveAnchor(finding.ref, index, ORMS), { path: 'meetups/views.py', line: 7, column: 13, endLine: 7, endColumn: 34 });
    // The queryset edited away: the finding falls back to its function.
    workspace.files.set('meetups/views.py', 'class PastMeetingsView(ListView):\n    def get_queryset(self):\n        return []\n');
    index.invalidate('meetups/views.py');
    assert.deepEqual(resolveAnchor(finding.ref, index, ORMS), { path: 'meetups/views.py', line: 2, column: 5 });
  });

  it('switches rules off and changes their severity by config', () => {
    const r = new RecordingBuilder();
    r.call('app.jobs', 'run', 'app/jobs.py', 1, 3000, () => r.sql('SELECT * FROM "big"', 900));
    const source = (marks: string) => `
      //- app/jobs.py
      def run():
      ${marks}    pass
      `;
    checkFindings(source('#@1 ^^^^^^^^^^ warning slow-call: slow call: jobs#run took 3.0 s\n      #@1 ^^^^^^^^^^ warning slow-query: slow query: 900 ms on big\n      '), r);
    checkFindings(source('#@1 ^^^^^^^^^^ error slow-call: slow call: jobs#run took 3.0 s\n      '), r, { rules: { 'slow-call': 'error', 'slow-query': 'off' } });
  });

  describe('slow-call, slow-request, slow-query', () => {
    it('reports the innermost slow project function, the slow request on its handler, and the slow query', () => {
      const r = new RecordingBuilder();
      r.request('GET', '/report', 2500, () => {
        r.call('ReportsController', 'show', 'app/controllers/reports_controller.rb', 2, 2400, () => {
          r.call('Report', 'build', 'app/models/report.rb', 2, 2300, () => {
            r.call('Report', 'totals', 'app/models/report.rb', 6, 2000, () => r.sql('SELECT sum(amount) FROM "payments"', 1500));
            r.call('ActiveRecord::Base', 'find', '/gems/activerecord/lib/base.rb', 10, 1200);
          });
        });
      });
      const reads = checkFindings(
        `
        //- app/controllers/reports_controller.rb
        class ReportsController
          def show
        # ^^^^^^^^ warning slow-request: slow request: GET /report took 2.5 s
            @report = Report.new.build
          end
        end
        //- app/models/report.rb
        class Report
          def build
            totals
          end

          def totals
        # ^^^^^^^^^^ warning slow-call: slow call: Report#totals took 2.0 s
        # ^^^^^^^^^^ warning slow-query: slow query: 1.5 s on payments
            Payment.sum(:amount)
          end
        end
        `,
        r,
      );
      // The gem's file is never opened.
      assert.ok(!reads.some((p) => p.includes('gems')), reads.join(', '));
    });
  });

  describe('repeated-query and too-many-queries', () => {
    it('reports identical queries with identical literals, not those with placeholders', () => {
      const r = new RecordingBuilder();
      r.request('GET', '/home', 30, () => {
        r.call('HomeController', 'index', 'app/controllers/home_controller.rb', 2, 20, () => {
          r.sql(`SELECT "settings".* FROM "settings" WHERE "settings"."key" = 'theme'`);
          r.sql(`SELECT "settings".* FROM "settings" WHERE "settings"."key" = 'theme'`);
          r.sql(`SELECT "settings".* FROM "settings" WHERE "settings"."key" = 'locale'`);
          r.sql(`SELECT "users".* FROM "users" WHERE "users"."id" = $1`);
          r.sql(`SELECT "users".* FROM "users" WHERE "users"."id" = $1`);
        });
      });
      checkFindings(
        `
        //- app/controllers/home_controller.rb
        class HomeController
          def index
        # ^^^^^^^^^ warning repeated-query: repeated query: the same query on settings ran 2 times with the same values
          end
        end
        `,
        r,
      );
    });

    it('reports the same lookup with the same values per row (an unmemoised current user) as a repeated query to keep, not an N+1', () => {
      // GENERATED in the form appmap-node records (values in the SQL text): GET /comments looks up
      // the current user again for each of 12 comments, always user 1; GET /authors looks up each
      // comment's own author, a different id per row: that one is an N+1.
      const r = new RecordingBuilder({ name: 'generated current user per row', client: { name: 'runlens-test-builder' } });
      r.request('GET', '/comments', 40, () => {
        r.call('comments', 'listComments', 'src/routes/comments.js', 5, 35, () => {
          r.sql('SELECT `id`, `body`, `authorId` FROM `Comments` AS `Comment` ORDER BY `Comment`.`id` ASC;');
          for (const _ of range(12)) r.call('auth', 'currentUser', 'src/auth.js', 3, 1, () => r.sql('SELECT `id`, `name`, `admin` FROM `Users` AS `User` WHERE `User`.`id` = 1;'), true);
        }, true);
      });
      r.request('GET', '/authors', 40, () => {
        r.call('comments', 'listAuthors', 'src/routes/comments.js', 14, 35, () => {
          r.sql('SELECT `id`, `body`, `authorId` FROM `Comments` AS `Comment` ORDER BY `Comment`.`id` ASC;');
          for (const id of range(12)) r.sql(`SELECT \`id\`, \`name\`, \`admin\` FROM \`Users\` AS \`User\` WHERE \`User\`.\`id\` = ${id + 1};`);
        }, true);
      });
      const fixture = `
        //- src/auth.js
        const { User } = require('./models');
        async function currentUser(req) {
          return User.findByPk(req.userId);
        }
        module.exports = { currentUser };
        //- src/routes/comments.js
        const { Comment, User } = require('../models');
        const { currentUser } = require('../auth');

        async function listComments(req, res) {
        //@1 ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning repeated-query: repeated query: the same query on Users ran 12 times with the same values
          const comments = await Comment.findAll({ order: [['id', 'ASC']] });
          const out = [];
          for (const comment of comments) {
            const me = await currentUser(req);
            out.push({ id: comment.id, editable: me.admin || comment.authorId === me.id });
          }
          res.json(out);
        }

        async function listAuthors(req, res) {
          const comments = await Comment.findAll({ order: [['id', 'ASC']] });
        //                       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ error n-plus-one: N+1: 12 queries from this query (12 × Users)
          res.json(await Promise.all(comments.map((c) => User.findByPk(c.authorId))));
        }
        module.exports = { listComments, listAuthors };
        `;
      checkFindings(fixture, r);
      // The repeated query's fix is to keep the result, in words; the N+1's is to load eagerly.
      const workspace = parseWorkspace(fixture);
      const config = resolveConfig({});
      const index = new SourceIndex(memoryFiles(workspace), parsers, config);
      const findings = findingsIn(readRecording('tmp/appmap/generated.appmap.json', r.json()).trace, index, config);
      assert.deepEqual(findings.map((f) => [f.rule, fixOf(f, index)]), [
        ['n-plus-one', { title: 'How to load eagerly (hint)', hint: 'the code around src/routes/comments.js:15 loads Users (by Users.id) one query per row; load them in one query with the rows they belong to (a JOIN, or one query with WHERE … IN (…) over all rows)' }],
        ['repeated-query', { title: 'How to keep the result (hint)', hint: 'the code around src/routes/comments.js:4 runs the same query on Users 12 times with the same values: run it once and keep the result (memoise the lookup, e.g. in a variable before the loop or once per request); loading eagerly would not remove it' }],
      ]);
    });

    it('counts queries per request, leaving out those of an N+1 finding', () => {
      const r = new RecordingBuilder({ name: 'dashboard loads' });
      r.request('GET', '/dashboard', 300, () => {
        r.call('DashboardController', 'index', 'app/controllers/dashboard_controller.rb', 2, 290, () => {
          for (const id of range(120)) r.sql(`SELECT "widgets"."c${id}" FROM "widgets" WHERE "widgets"."kind" = ${id}`);
        });
      });
      r.request('GET', '/list', 300, () => {
        r.call('ListController', 'index', 'app/controllers/list_controller.rb', 2, 290, () => {
          r.sql('SELECT "items".* FROM "items"');
          for (const id of range(150)) r.sql(`SELECT "owners".* FROM "owners" WHERE "owners"."id" = ${id}`);
        });
      });
      checkFindings(
        `
        //- app/controllers/dashboard_controller.rb
        class DashboardController
          def index
        # ^^^^^^^^^ warning too-many-queries: too many queries: GET /dashboard ran 120 SQL queries
          end
        end
        //- app/controllers/list_controller.rb
        class ListController
          def index
        # ^^^^^^^^^ error n-plus-one: N+1: 150 queries in this function, exact line unknown (150 × owners)
          end
        end
        `,
        r,
      );
    });
  });

  describe('paths', () => {
    it('finds appmap-java package-relative paths under the source roots, and merges recordings', () => {
      const recording = (ms: number) => {
        const r = new RecordingBuilder();
        r.call('org.acme.owner.OwnerController', 'list', 'org/acme/owner/OwnerController.java', 5, ms);
        return r;
      };
      checkFindings(
        `
        //- src/main/java/org/acme/owner/OwnerController.java
        package org.acme.owner;

        public class OwnerController {
            public String list() {
        //  ^^^^^^^^^^^^^^^^^^^^^^ warning slow-call: slow call: OwnerController#list took 3.0 s
                return "owners";
            }
        }
        `,
        [recording(1500), recording(3000)],
      );
    });

    it('maps paths of recordings made elsewhere (a container) with pathMappings', () => {
      const r = new RecordingBuilder();
      r.call('app.jobs', 'run', '/app/app/jobs.py', 1, 3000);
      checkFindings(
        `
        //- app/jobs.py
        def run():
        #@1 ^^^^^^^^^^ warning slow-call: slow call: jobs#run took 3.0 s
            pass
        `,
        r,
        { pathMappings: { '/app': '.' } },
      );
    });

    it('never opens a recorded path outside the workspace', () => {
      const r = new RecordingBuilder({ name: 'outside' });
      r.call('Evil', 'read', '../../etc/passwd.rb', 1, 5000);
      r.call('Evil', 'abs', '/etc/shadow.rb', 1, 5000);
      r.call('Gem', 'x', '/ws/vendor/bundle/gems/x.rb', 1, 5000);
      const reads = checkFindings(`
        //- app/a.rb
        class A
        end
        `, r);
      assert.deepEqual(reads, []);
    });
  });
});
