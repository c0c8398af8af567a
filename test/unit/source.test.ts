// Source analysis on real tree-sitter grammars: definitions per language, locating recorded
// functions in changed code, Django models and queryset expressions. Fixtures are small sources
// written out here; expected queryset ranges are marked in the fixture under the code they cover.

import assert from 'node:assert/strict';
import {
  Definition,
  RecordedFunction,
  findDefinitions,
  languageOfPath,
  locateFunction,
} from '../../server/src/core/source/definitions';
import { resolveConfig } from '../../server/src/core/config';
import { DjangoModel, djangoModels, findDjangoModels } from '../../server/src/core/orm/django/models';
import { SourceIndex } from '../../server/src/core/sourceIndex';
import { memoryFiles } from '../support/fixture';
import { findQuerysetExpressions } from '../../server/src/core/orm/django/queries';
import { SourceLanguage, SourceParsers, SourceRange } from '../../server/src/core/source/language';
import { loadParsers } from '../../server/src/node/treeSitter';

let parsers: SourceParsers;

before(async () => {
  parsers = await loadParsers();
});

describe('loadParsers', () => {
  it('loads once and shares the parsers', async () => {
    assert.equal(await loadParsers(), parsers);
  });
});

describe('languageOfPath', () => {
  it('maps extensions, ignoring case, and nothing else', () => {
    const paths = ['a/b.py', 'x.rb', 'A.java', 'a.js', 'a.mjs', 'a.cjs', 'a.jsx', 'a.ts', 'a.mts', 'a.cts', 'a.tsx', 'A.PY', 'Makefile', 'dir.py/README', 'a.pyc'];
    assert.deepEqual(
      paths.map((p) => `${p}=${languageOfPath(p) ?? '-'}`),
      [
        'a/b.py=python', 'x.rb=ruby', 'A.java=java', 'a.js=javascript', 'a.mjs=javascript', 'a.cjs=javascript',
        'a.jsx=javascript', 'a.ts=typescript', 'a.mts=typescript', 'a.cts=typescript', 'a.tsx=tsx', 'A.PY=python',
        'Makefile=-', 'dir.py/README=-', 'a.pyc=-',
      ],
    );
  });
});

describe('findDefinitions', () => {
  it('python: module functions, classes, nested classes, decorators, async', () => {
    checkDefinitions('python', `
      import functools


      def helper(x):
          def inner():
              pass
          return inner


      async def fetch():
          pass


      class PastMeetingsView(ListView):
          template_name = "past.html"

          def get_queryset(self):
              return Meeting.objects.all()

          @staticmethod
          def build():
              pass

          @classmethod
          @functools.cache
          def cached(cls):
              pass

          @property
          def title(self):
              return "x"

          async def stream(self):
              pass

          class Inner:
              def deep(self):
                  pass


      if True:
          def conditional():
              pass
      `, `
      function helper 4:1-7
      function fetch 10:1-11
      class PastMeetingsView 14:1-38
      method PastMeetingsView.get_queryset 17:5-18
      method PastMeetingsView.build 21:5-22 static
      method PastMeetingsView.cached 26:5-27 static
      method PastMeetingsView.title 30:5-31
      method PastMeetingsView.stream 33:5-34
      class PastMeetingsView.Inner 36:5-38
      method PastMeetingsView.Inner.deep 37:9-38
      function conditional 42:5-43
    `);
  });

  it('ruby: modules, nested and compact classes, self methods, class << self', () => {
    checkDefinitions('ruby', `
      module Api
        class KeysController < ApplicationController
          before_action :authenticate

          def create
            Key.create!
          end

          def self.lookup(id)
            find(id)
          end

          class << self
            def cached
            end
          end

          private def secret = 42
        end
      end

      class Api::UsersController
        def index; end
      end

      module Helpers
        def self.format(x) = x.to_s
      end

      def top_level
      end
      `, `
      class Api.KeysController 2:3-19
      method Api.KeysController.create 5:5-7
      method Api.KeysController.lookup 9:5-11 static
      method Api.KeysController.cached 14:7-15 static
      method Api.KeysController.secret 18:13-18
      class Api.UsersController 22:1-24
      method Api.UsersController.index 23:3-23
      method Helpers.format 27:3-27 static
      function top_level 30:1-31
    `);
  });

  it('java: classes, inner classes, statics, constructors, overloads; no bodiless or anonymous', () => {
    checkDefinitions('java', JAVA_OWNER_CONTROLLER, `
      class OwnerController 4:1-41
      method OwnerController.OwnerController 9:5-11
      method OwnerController.initCreationForm 13:32-15
      method OwnerController.format 17:5-19 static
      method OwnerController.find 21:5-23
      method OwnerController.find 25:5-27
      class OwnerController.Validator 29:5-31 static
      method OwnerController.Validator.validate 30:9-30
      class OwnerController.Listener 33:5-36
      method OwnerController.Listener.ignored 35:9-35
    `);
  });

  it('javascript: classes, static members, decorators, functions, functions assigned to names; no object-literal methods', () => {
    checkDefinitions('javascript', `
      class UserService {
        @traced
        async find(id) {
          return this.db.get(id);
        }

        static create() {
          return new UserService();
        }

        handler = () => {};

        constructor() {}
      }

      export function main() {
        function local() {}
      }

      const format = (user) => user.name, parse = function (text) {};
      export const Admin = class {
        grant() {}
      };
      const api = { list() {} };
      `, `
      class UserService 1:1-14
      method UserService.find 3:3-5
      method UserService.create 7:3-9 static
      method UserService.handler 11:3-11
      method UserService.constructor 13:3-13
      function main 16:8-18
      function format 20:7-20
      function parse 20:37-20
      class Admin 21:22-23
      method Admin.grant 22:3-22
    `);
  });

  it('typescript and tsx: modifiers, namespaces; no signatures or interfaces', () => {
    const source = `
      export abstract class Repo<T> {
        abstract load(id: string): T;

        public static of<T>(items: T[]): Repo<T> {
          return new MemoryRepo(items);
        }

        private readonly cache = async (key: string): Promise<T | undefined> => undefined;
      }

      export function overloaded(x: string): string;
      export function overloaded(x: number): number;
      export function overloaded(x: unknown): unknown {
        return x;
      }

      namespace Billing.Invoices {
        export function total(): number {
          return 0;
        }
      }

      interface Shape {
        area(): number;
      }
      `;
    const expected = `
      class Repo 1:8-9
      method Repo.of 4:3-6 static
      method Repo.cache 8:3-8
      function overloaded 13:8-15
      function Billing.Invoices.total 18:10-20
    `;
    checkDefinitions('typescript', source, expected);
    checkDefinitions('tsx', source, expected);
    checkDefinitions('tsx', `
      export function Page({ title }: Props) {
        return <h1>{title}</h1>;
      }
      const Row = (props: RowProps) => <tr>{props.children}</tr>;
      `, `
      function Page 1:8-3
      function Row 4:7-4
    `);
  });

  it('counts columns in UTF-16 code units', () => {
    checkDefinitions('ruby', `
      s = "é😀"; def f; end
      `, `
      function f 1:12-1
    `);
    checkDefinitions('javascript', `
      const s = "😀"; const f = () => 1;
      `, `
      function f 1:23-1
    `);
  });
});

describe('locateFunction', () => {
  it('python: method by class, module function by module, nested class', () => {
    const source = PYTHON_VIEWS;
    checkLocate('python', source, { definedClass: 'meetups.views.PastMeetingsView', methodId: 'get_queryset', isStatic: false, lineno: 7 }, 'method PastMeetingsView.get_queryset 7:5-8');
    checkLocate('python', source, { definedClass: 'meetups.views', methodId: 'upcoming', isStatic: false, lineno: 1 }, 'function upcoming 19:1-20');
    checkLocate('python', source, { definedClass: 'meetups.views.Outer.Serializer', methodId: 'validate', isStatic: false }, 'method Outer.Serializer.validate 16:9-17');
    checkLocate('python', source, { definedClass: 'meetups.views.PastMeetingsView.Serializer', methodId: 'validate', isStatic: false }, 'method PastMeetingsView.Serializer.validate 11:9-12');
    checkLocate('python', source, { definedClass: '<templates>.MeetupsPast', methodId: 'render', isStatic: false }, undefined);
  });

  it('a function that moved is found where it is now', () => {
    // Thirty lines of other code pushed the function from line 10 to line 30.
    const source = '# moved\n'.repeat(29) + 'def send_reminders(meeting):\n    pass\n';
    checkLocate('python', source, { definedClass: 'meetups.tasks', methodId: 'send_reminders', isStatic: false, lineno: 10 }, 'function send_reminders 30:1-31');
  });

  it('a renamed function is not found, even when a module function has the old name', () => {
    checkLocate('python', PYTHON_VIEWS, { definedClass: 'meetups.views.PastMeetingsView', methodId: 'get_context_data', isStatic: false, lineno: 8 }, undefined);
    checkLocate('python', PYTHON_VIEWS, { definedClass: 'meetups.views', methodId: 'past', isStatic: false, lineno: 19 }, undefined);
    // The class still exists, so the module function `upcoming` is not the recorded method.
    checkLocate('python', PYTHON_VIEWS, { definedClass: 'meetups.views.PastMeetingsView', methodId: 'upcoming', isStatic: false, lineno: 19 }, undefined);
  });

  it('ruby: nested and compact classes, static flag decides between same names', () => {
    const source = `
      module Api
        class KeysController
          def find
          end

          def self.find
          end
        end
      end

      class Api::UsersController
        def index; end
      end
      `;
    // The recorded lines point at the other method: the static flag decides first.
    checkLocate('ruby', source, { definedClass: 'Api::KeysController', methodId: 'find', isStatic: true, lineno: 3 }, 'method Api.KeysController.find 6:5-7 static');
    checkLocate('ruby', source, { definedClass: 'Api::KeysController', methodId: 'find', isStatic: false, lineno: 6 }, 'method Api.KeysController.find 3:5-4');
    checkLocate('ruby', source, { definedClass: 'Api::UsersController', methodId: 'index', isStatic: false }, 'method Api.UsersController.index 12:3-12');
    checkLocate('ruby', source, { definedClass: 'User', methodId: 'find', isStatic: true }, undefined);
  });

  it('java: overloads by nearest recorded line, inner classes by $, constructors as <init>', () => {
    const c = 'org.springframework.samples.petclinic.owner.OwnerController';
    checkLocate('java', JAVA_OWNER_CONTROLLER, { definedClass: c, methodId: 'find', isStatic: false, lineno: 26 }, 'method OwnerController.find 25:5-27');
    checkLocate('java', JAVA_OWNER_CONTROLLER, { definedClass: c, methodId: 'find', isStatic: false, lineno: 22 }, 'method OwnerController.find 21:5-23');
    // Stale lines: the overload nearer the recorded line wins.
    checkLocate('java', JAVA_OWNER_CONTROLLER, { definedClass: c, methodId: 'find', isStatic: false, lineno: 17 }, 'method OwnerController.find 21:5-23');
    checkLocate('java', JAVA_OWNER_CONTROLLER, { definedClass: c, methodId: 'find', isStatic: false, lineno: 33 }, 'method OwnerController.find 25:5-27');
    checkLocate('java', JAVA_OWNER_CONTROLLER, { definedClass: `${c}$Validator`, methodId: 'validate', isStatic: false }, 'method OwnerController.Validator.validate 30:9-30');
    checkLocate('java', JAVA_OWNER_CONTROLLER, { definedClass: c, methodId: '<init>', isStatic: false }, 'method OwnerController.OwnerController 9:5-11');
    checkLocate('java', JAVA_OWNER_CONTROLLER, { definedClass: c, methodId: 'format', isStatic: true, lineno: 17 }, 'method OwnerController.format 17:5-19 static');
    checkLocate('java', JAVA_OWNER_CONTROLLER, { definedClass: `${c}$1`, methodId: 'run', isStatic: false }, undefined);
  });

  it('javascript: class methods, and functions under a file-ish class name', () => {
    const source = `
      class UserService {
        find(id) {}
        static find(id) {}
      }
      function formatUser(user) {}
      const parseUser = (text) => JSON.parse(text);
      `;
    checkLocate('javascript', source, { definedClass: 'UserService', methodId: 'find', isStatic: true }, 'method UserService.find 3:3-3 static');
    checkLocate('javascript', source, { definedClass: 'src/users/format', methodId: 'formatUser', isStatic: false }, 'function formatUser 5:1-5');
    checkLocate('javascript', source, { definedClass: 'users', methodId: 'parseUser', isStatic: false }, 'function parseUser 6:7-6');
    checkLocate('javascript', source, { definedClass: 'UserService', methodId: 'remove', isStatic: false }, undefined);
  });
});

describe('findDjangoModels', () => {
  it('reads relations, tables, abstract bases, proxies and app_label', () => {
    checkModels('meetups/models.py', `
      from django.conf import settings
      from django.db import models
      from django.db.models import ForeignKey


      class TimeStamped(models.Model):
          created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)

          class Meta:
              abstract = True


      class Venue(models.Model):
          name = models.CharField(max_length=100)


      class Meeting(TimeStamped):
          venue = models.ForeignKey("Venue", on_delete=models.CASCADE, related_name="meetings")
          host = ForeignKey(to=Venue, on_delete=models.CASCADE)
          minutes = models.OneToOneField('docs.Document', on_delete=models.CASCADE, related_name='meeting')
          attendees = models.ManyToManyField(
              "auth.User",
              through="Attendance",
              related_name="meetings_attended",
          )
          tags = models.ManyToManyField("self", db_table="meetup_tags")

          class Meta:
              db_table = "meetups_meeting_custom"


      class ArchivedMeeting(Meeting):
          class Meta:
              proxy = True


      class Sponsor(models.Model):
          class Meta:
              app_label = "sponsors"


      class Mixin(object):
          venue = models.ForeignKey("Venue", on_delete=models.CASCADE)
      `, `
      Venue table=meetups_venue app=meetups 13
      Meeting table=meetups_meeting_custom app=meetups 17
        foreign-key created_by -> settings.AUTH_USER_MODEL 7
        foreign-key venue -> Venue related_name=meetings 18
        foreign-key host -> Venue 19
        one-to-one minutes -> docs.Document related_name=meeting 20
        many-to-many attendees -> auth.User related_name=meetings_attended through=Attendance 21
        many-to-many tags -> self db_table=meetup_tags 26
      ArchivedMeeting table=meetups_meeting_custom app=meetups 32
      Sponsor table=sponsors_sponsor app=sponsors 37
    `);
  });

  it('takes the app label from a models package', () => {
    const source = `
      from django.db import models

      class Venue(models.Model):
          pass
      `;
    checkModels('apps/meetups/models/venue.py', source, 'Venue table=meetups_venue app=meetups 3');
    checkModels('apps/meetups/models/__init__.py', source, 'Venue table=meetups_venue app=meetups 3');
  });
  it('reads models declared in module-level if and try blocks (django-oscar\'s is_model_registered)', () => {
    checkModels('catalogue/models.py', `
      from django.db import models
      from oscar.core.loading import is_model_registered

      if not is_model_registered("catalogue", "Product"):

          class Product(models.Model):
              parent = models.ForeignKey("self", null=True, on_delete=models.CASCADE)

      try:
          class Option(models.Model):
              pass
      except ImportError:
          pass

      def make():
          class Local(models.Model):
              pass
      `, `
      Product table=catalogue_product app=catalogue 6
        foreign-key parent -> self 7
      Option table=catalogue_option app=catalogue 10
    `);
  });

  it('follows the bases of the workspace\'s models through imports: abstract models of other modules, their relations and Meta', () => {
    const files = new Map([
      // django-oscar's own layout: src/oscar/apps/<app>/{abstract_models,models}.py, absolute imports, `import *`.
      ['src/oscar/apps/catalogue/abstract_models.py', 'from django.db import models\nfrom oscar.models.base import TimeStamped\n\n\nclass AbstractProduct(TimeStamped):\n    product_class = models.ForeignKey("catalogue.ProductClass", on_delete=models.PROTECT)\n\n    class Meta:\n        abstract = True\n        app_label = "catalogue"\n        db_table = "catalogue_product_table"\n\n\nclass AbstractProductClass(models.Model):\n    class Meta:\n        abstract = True\n        app_label = "catalogue"\n\n\nclass Helper:\n    pass\n'],
      ['src/oscar/models/base.py', 'from django.db import models\n\n\nclass TimeStamped(models.Model):\n    created_by = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True)\n\n    class Meta:\n        abstract = True\n'],
      ['src/oscar/apps/catalogue/models.py', 'from oscar.apps.catalogue.abstract_models import *  # noqa\nfrom oscar.core.loading import is_model_registered\n\nif not is_model_registered("catalogue", "ProductClass"):\n    class ProductClass(AbstractProductClass):\n        pass\n\nif not is_model_registered("catalogue", "Product"):\n    class Product(AbstractProduct):\n        pass\n\n\nclass NotAModel(Helper):\n    pass\n'],
      // A fork: relative, aliased and module imports; its own Meta keeps nothing of its parent's.
      ['shop/orders/abstract.py', 'from django.db import models\n\n\nclass AbstractLine(models.Model):\n    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE)\n\n    class Meta:\n        abstract = True\n        app_label = "orders"\n'],
      ['shop/orders/models.py', 'from . import abstract\nfrom .abstract import AbstractLine as Base\nfrom django.db import models\n\n\nclass Order(models.Model):\n    pass\n\n\nclass Line(Base):\n    pass\n\n\nclass GiftLine(abstract.AbstractLine):\n    class Meta:\n        db_table = "gift_lines"\n'],
      // Two modules importing each other: nothing loops.
      ['loop/models.py', 'from loop.other import *\n\n\nclass A(B):\n    pass\n'],
      ['loop/other.py', 'from loop.models import *\n\n\nclass B(A):\n    pass\n'],
    ]);
    const index = new SourceIndex(memoryFiles({ files }), parsers, resolveConfig({}));
    assert.deepEqual(djangoModels(index).map((m) => `${m.path} ${renderModel(m).replace(/\n/g, ' |')}`), [
      'shop/orders/models.py Order table=orders_order app=orders 6',
      'shop/orders/models.py Line table=orders_line app=orders 10 |  foreign-key order -> orders.Order 5',
      'shop/orders/models.py GiftLine table=gift_lines app=orders 14 |  foreign-key order -> orders.Order 5',
      'src/oscar/apps/catalogue/models.py ProductClass table=catalogue_productclass app=catalogue 5',
      'src/oscar/apps/catalogue/models.py Product table=catalogue_product_table app=catalogue 9 |  foreign-key created_by -> auth.User 5 |  foreign-key product_class -> catalogue.ProductClass 6',
    ]);
  });
});

describe('findQuerysetExpressions', () => {
  it('finds chains in methods, class bodies and functions, multi-line and nested', () => {
    checkQuerysets(PYTHON_QUERYSETS, 'Meeting');
  });

  it('keeps to the lines of a method', () => {
    checkQuerysets(`
      class PastMeetingsView(ListView):
          def get_queryset(self):
              return Meeting.objects.filter(when__lt=now()).order_by("when")
              #      ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ queryset

      def other():
          return Meeting.objects.all()
      `, 'Meeting', 'get_queryset');
  });

  it('keeps to the lines of a class for class-level querysets', () => {
    checkQuerysets(`
      first = Meeting.objects.first()

      class AllMeetingsView(ListView):
          queryset = Meeting.objects.all()
          #          ^^^^^^^^^^^^^^^^^^^^^ queryset
      `, 'Meeting', 'AllMeetingsView');
  });

  it('ignores other models and names that only end like the model', () => {
    checkQuerysets(`
      Venue.objects.all()
      PastMeeting.objects.all()
      meeting.objects.all()
      Meeting.objects
      Meeting.objects.all
      `, 'Meeting');
  });
});

const JAVA_OWNER_CONTROLLER = `
  package org.springframework.samples.petclinic.owner;

  @Controller
  class OwnerController {

      private final OwnerRepository owners;

      @Autowired
      public OwnerController(OwnerRepository owners) {
          this.owners = owners;
      }

      @GetMapping("/owners/new") public String initCreationForm(Map<String, Object> model) {
          return VIEW;
      }

      public static String format(Owner owner) {
          return owner.toString();
      }

      public String find(int id) {
          return "a";
      }

      public String find(String name) {
          return "b";
      }

      static class Validator {
          boolean validate(Owner owner) { return true; }
      }

      interface Listener {
          void changed();
          default void ignored() {}
      }

      private final Runnable task = new Runnable() {
          public void run() {}
      };
  }
  `;

const PYTHON_VIEWS = `
  from django.views.generic import ListView

  from .models import Meeting


  class PastMeetingsView(ListView):
      def get_queryset(self):
          return Meeting.objects.all()

      class Serializer:
          def validate(self):
              pass

  class Outer:
      class Serializer:
          def validate(self):
              pass

  def upcoming(request):
      pass
  `;

const PYTHON_QUERYSETS = `
  from django.shortcuts import render
  from django.utils.timezone import now
  from django.views.generic import ListView

  from .models import Meeting, Venue


  class PastMeetingsView(ListView):
      template_name = "meetups/past.html"

      def get_queryset(self):
          return Meeting.objects.filter(when__lt=now()).order_by("when")
          #      ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ queryset


  class AllMeetingsView(ListView):
      queryset = Meeting.objects.all()
      #          ^^^^^^^^^^^^^^^^^^^^^ queryset


  def upcoming(request):
      meetings = (
          Meeting.objects
         #^ queryset starts
          .filter(when__gte=now())
          .select_related("venue")
         #                       ^ queryset ends
      )[:10]
      count = Meeting._default_manager.count()
      #       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ queryset
      title = Meeting.objects.get(pk=1).title
      #       ^^^^^^^^^^^^^^^^^^^^^^^^^ queryset
      later = (Meeting.objects.filter(id__in=Meeting.objects.values("id"))).exists()
      #        ^ queryset starts                                                   ^ queryset ends
      #                                      ^^^^^^^^^^^^^^^^^^^^^^^^^^^^ queryset
      venues = Venue.objects.all()
      manager = Meeting.objects
      return render(request, "meetups/upcoming.html", {"meetings": meetings})
  `;

/** Renders what findDefinitions finds, one per line: `method A.b 12:5-14 static`. */
function checkDefinitions(language: SourceLanguage, source: string, expected: string): void {
  const defs = findDefinitions(parsers, language, dedent(source));
  assert.equal(defs.map(renderDefinition).join('\n'), dedent(expected).trimEnd());
}

function checkLocate(language: SourceLanguage, source: string, recorded: RecordedFunction, expected: string | undefined): void {
  const found = locateFunction(findDefinitions(parsers, language, dedent(source)), recorded);
  assert.equal(found && renderDefinition(found), expected);
}

function checkModels(path: string, source: string, expected: string): void {
  const models = findDjangoModels(parsers, path, dedent(source));
  assert.ok(models.every((m) => m.path === path));
  assert.equal(models.map(renderModel).join('\n'), dedent(expected).trimEnd());
}

/**
 * Compares findQuerysetExpressions with the ranges marked in the source. A marker is a comment of
 * carets under the line it marks: `^^^ queryset` covers exactly the carets; a multi-line range
 * starts at the caret of `^ queryset starts` and ends after the caret of the next
 * `^ queryset ends`. `within` names a definition whose lines bound the search.
 */
function checkQuerysets(source: string, model: string, within?: string): void {
  const text = dedent(source);
  let bounds: { fromLine: number; toLine: number } | undefined;
  if (within !== undefined) {
    const def = findDefinitions(parsers, 'python', text).find((d) => d.name === within);
    assert.ok(def, `no definition ${within}`);
    bounds = { fromLine: def.line, toLine: def.endLine };
  }
  const actual = findQuerysetExpressions(parsers, text, model, bounds);
  assert.equal(actual.map(renderRange).join('\n'), markedRanges(text).map(renderRange).join('\n'));
}

function markedRanges(text: string): SourceRange[] {
  const lines = text.split('\n');
  const ranges: SourceRange[] = [];
  let open: { line: number; column: number } | undefined;
  let marked = 0;
  lines.forEach((content, index) => {
    if (!/^\s*#.*\^/.test(content)) {
      marked = index + 1;
      return;
    }
    for (const m of content.matchAll(/(\^+) queryset( starts| ends)?/g)) {
      const column = m.index! + 1;
      if (m[2] === ' starts') {
        open = { line: marked, column };
      } else if (m[2] === ' ends') {
        assert.ok(open, `"queryset ends" without a start on line ${index + 1}`);
        ranges.push({ ...open, endLine: marked, endColumn: column + m[1].length });
        open = undefined;
      } else {
        ranges.push({ line: marked, column, endLine: marked, endColumn: column + m[1].length });
      }
    }
  });
  return ranges.sort((a, b) => a.line - b.line || a.column - b.column);
}

function renderDefinition(d: Definition): string {
  return `${d.kind} ${[...d.container, d.name].join('.')} ${d.line}:${d.column}-${d.endLine}${d.isStatic ? ' static' : ''}`;
}

function renderModel(m: DjangoModel): string {
  const fields = m.fields.map((f) => {
    const extras = [
      f.relatedName !== undefined ? ` related_name=${f.relatedName}` : '',
      f.dbTable !== undefined ? ` db_table=${f.dbTable}` : '',
      f.through !== undefined ? ` through=${f.through}` : '',
    ].join('');
    return `\n  ${f.kind} ${f.name} -> ${f.target}${extras} ${f.line}`;
  });
  return `${m.name} table=${m.dbTable} app=${m.appLabel} ${m.line}${fields.join('')}`;
}

function renderRange(r: SourceRange): string {
  return `${r.line}:${r.column}-${r.endLine}:${r.endColumn}`;
}

/** Drops the first line break and the indentation common to all non-blank lines. */
function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').split('\n');
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length);
  const common = indents.length > 0 ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(common)).join('\n');
}
