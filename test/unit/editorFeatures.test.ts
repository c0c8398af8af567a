// The editor features as pure functions (core/ide/), without a server: code lenses, hovers, the call
// hierarchy and workspace symbols over the bookshop example and its recordings by appmap-node, over
// a real appmap-ruby recording of the corpus placed on rails-sample-app, and over a fixture with a
// recording built by the test. Each expectation is the exact text, rewritten by UPDATE_EXPECT=1.

import * as path from 'node:path';
import { AUTHORS_RECORDING, BOOKS_RECORDING, BOOKSHOP, BOOKSHOP_FIXED } from '../support/bookshop';
import { checkCallHierarchy, checkHover, checkLenses, checkParsers, checkSymbols, Recorded, recordedFixture, recordedFolder, since } from '../support/check';
import { CORPUS, REPO } from '../support/corpus';
import { expect } from '../support/expect';
import { RecordingBuilder } from '../support/recordingBuilder';

const BOOKS = 'src/routes/books.js';
const AUTHORS = 'src/routes/authors.js';
const RAILS = path.join(REPO, 'test/workspaces/rails-sample-app');
const PROFILE = path.join(CORPUS, 'appmaps/ruby/minitest-rails6-users-profile-anonymous-nplus1.appmap.json');
const USERS = 'app/controllers/users_controller.rb';

describe('editor features as fixtures (core/ide)', () => {
  let bookshop: Recorded;
  let rails: Recorded;

  before(async () => {
    await checkParsers();
    bookshop = recordedFolder(BOOKSHOP, (f) => /^(src|test)\/.*\.js$/.test(f), [BOOKS_RECORDING, AUTHORS_RECORDING]);
    rails = recordedFolder(RAILS, (f) => /\.(rb|erb)$/.test(f), [PROFILE]);
  });

  describe('code lenses', () => {
    it('bookshop: the route, then the handler\'s own timing, above listBooks; present\'s 200 calls', () => {
      checkLenses(bookshop, BOOKS, expect`
        //- src/routes/books.js
        // GET /books: the catalogue, each book with its author, tags and average rating.

        const { Book } = require('../models');

        /** A book as the API returns it; uses the author, tags and reviews when the query loaded them. */
        async function present(book) {
        //@1 ^ 497 ms · 200 calls · 1,400 SQL
          const author = book.author ?? (await book.getAuthor());
          const tags = book.Tags ?? (await book.getTags());
          const reviews = book.Reviews ?? (await book.getReviews());
          return {
            id: book.id,
            title: book.title,
            year: book.year,
            author: author.name,
            tags: tags.map((t) => t.name).sort(),
            rating: reviews.length ? reviews.reduce((sum, r) => sum + r.rating, 0) / reviews.length : null,
          };
        }

        async function listBooks(req, res) {
        //@1 ^ GET /books · 531 ms · 1,402 SQL (call tree: tmp/appmap/mocha/bookshop/lists_the_books_with_their_authors_and_tags_and_ratings.appmap.json)
        //@1 ^ 529 ms · 1 call · 1,402 SQL
          const books = await Book.findAll({
            order: [['id', 'ASC']],
          });
          const out = [];
          for (const book of books) out.push(await present(book));
          res.json(out);
        }

        module.exports = { listBooks };
      `);
    });

    it('bookshop: the authors route', () => {
      checkLenses(bookshop, AUTHORS, expect`
        //- src/routes/authors.js
        // GET /authors: every author with the titles of their books, loaded with one query.

        const { Author, Book } = require('../models');

        async function listAuthors(req, res) {
        //@1 ^ GET /authors · 13 ms · 3 SQL (call tree: tmp/appmap/mocha/bookshop/lists_the_authors_with_their_books.appmap.json)
        //@1 ^ 13 ms · 1 call · 3 SQL
          const authors = await Author.findAll({
            include: [{ model: Book, as: 'books' }],
            order: [
              ['name', 'ASC'],
              [{ model: Book, as: 'books' }, 'title', 'ASC'],
            ],
          });
          res.json(authors.map((a) => ({ name: a.name, country: a.country, books: a.books.map((b) => b.title) })));
        }

        module.exports = { listAuthors };
      `);
    });

    it('rails (corpus recording): the profile action and the helpers it ran', () => {
      checkLenses(rails, USERS, expect`
        //- app/controllers/users_controller.rb
        class UsersController < ApplicationController
          before_action :logged_in_user, only: [:index, :edit, :update, :destroy,
                                                :following, :followers]
          before_action :correct_user,   only: [:edit, :update]
          before_action :admin_user,     only: :destroy

          def index
            @users = User.where(activated: true).paginate(page: params[:page])
          end

          # A user's profile with their microposts, a page at a time; only activated
          # accounts are shown.
          def show
        # ^ GET /users/{id} · 49 ms · 37 SQL (call tree: tmp/appmap/minitest-rails6-users-profile-anonymous-nplus1.appmap.json)
        # ^ 0.9 ms · 1 call · 1 SQL
            @user = User.find(params[:id])
            redirect_to root_url and return unless @user.activated?
            @microposts = @user.microposts.paginate(page: params[:page])
          end

          def new
            @user = User.new
          end

          def create
            @user = User.new(user_params)
            if @user.save
              @user.send_activation_email
              flash[:info] = "Please check your email to activate your account."
              redirect_to root_url
            else
              render 'new', status: :unprocessable_entity
            end
          end

          def following
            @title = "Following"
            @user  = User.find(params[:id])
            @users = @user.following.paginate(page: params[:page])
            render 'show_follow'
          end

          def followers
            @title = "Followers"
            @user  = User.find(params[:id])
            @users = @user.followers.paginate(page: params[:page])
            render 'show_follow'
          end

          private

            def user_params
              params.require(:user).permit(:name, :email, :password,
                                           :password_confirmation)
            end

            # Confirms the correct user.
            def correct_user
              @user = User.find(params[:id])
              redirect_to(root_url) unless current_user?(@user)
            end

            # Confirms an admin user.
            def admin_user
              redirect_to(root_url) unless current_user.admin?
            end
        end
      `);
    });
  });

  describe('hover', () => {
    it('bookshop: the finding on Book.findAll, with its repeated queries as recorded', () => {
      checkHover(bookshop, BOOKS, 'const books = $0await Book.findAll', expect`
        **N+1: 600 queries from this query** \`n-plus-one\` (error)

        In GET /books, seen in 1 recording.

        The per-row call: \`src/routes/books.js:25\` \`for (const book of books) out.push(await present(book));\`

        **Repeated queries**

        200 ×
        \`\`\`sql
        SELECT \`id\`, \`name\`, \`country\`, \`createdAt\`, \`updatedAt\` FROM \`Authors\` AS \`Author\` WHERE \`Author\`.\`id\` = ?
        \`\`\`

        200 ×
        \`\`\`sql
        SELECT \`Tag\`.\`id\`, \`Tag\`.\`name\`, \`BookTags\`.\`createdAt\` AS \`BookTags.createdAt\`, \`BookTags\`.\`updatedAt\` AS \`BookTags.updatedAt\`, \`BookTags\`.\`BookId\` AS \`BookTags.BookId\`, \`BookTags\`.\`TagId\` AS \`BookTags.TagId\` FROM \`tags\` AS \`Tag\` INNER JOIN \`BookTags\` AS \`BookTags\` ON \`Tag\`.\`id\` = \`BookTags\`.\`TagId\` AND \`BookTags\`.\`BookId\` = ?
        \`\`\`

        200 ×
        \`\`\`sql
        SELECT \`id\`, \`reader\`, \`rating\`, \`createdAt\`, \`updatedAt\`, \`BookId\` FROM \`Reviews\` AS \`Review\` WHERE \`Review\`.\`BookId\` = ?
        \`\`\`
      `);
    });

    it('bookshop: the handler\'s definition line: its lenses\' words, numbers, queries, recordings and slowest path', () => {
      checkHover(bookshop, BOOKS, 'async function $0listBooks', expect`
        **books.listBooks** · 529 ms · 1 call · 1,402 SQL

        Handles GET /books · 531 ms · 1,402 SQL

        | calls | total | self | mean | max | SQL |
        | ---: | ---: | ---: | ---: | ---: | ---: |
        | 1 | 529 ms | 31 ms | 529 ms | 529 ms | 1,402 |

        **Queries it ran most**

        1 ×
        \`\`\`sql
        PRAGMA table_info(\`Books\`)
        \`\`\`

        1 ×
        \`\`\`sql
        SELECT \`id\`, \`title\`, \`year\`, \`price\`, \`createdAt\`, \`updatedAt\`, \`authorId\` FROM \`Books\` AS \`Book\` ORDER BY \`Book\`.\`id\` ASC
        \`\`\`

        **Recorded in** bookshop lists the books with their authors and tags and ratings (\`tmp/appmap/mocha/bookshop/lists_the_books_with_their_authors_and_tags_and_ratings.appmap.json\`)

        **Slowest path** (529 ms): GET /books → books.listBooks
      `);
    });

    it('bookshop: a line of no recorded function has no hover', () => {
      checkHover(bookshop, BOOKS, '$0module.exports', expect`(no hover)`);
    });

    it('rails (corpus recording): the N+1 on the microposts of the profile', () => {
      checkHover(rails, USERS, '$0@microposts = @user.microposts', expect`
        **N+1: 30 queries from this query** \`n-plus-one\` (error)

        In GET /users/{id}, seen in 1 recording.

        **Repeated queries**

        30 ×
        \`\`\`sql
        SELECT "active_storage_attachments".* FROM "active_storage_attachments" WHERE "active_storage_attachments"."record_id" = ? AND "active_storage_attachments"."record_type" = ? AND "active_storage_attachments"."name" = ? LIMIT ?
        \`\`\`
      `);
    });
  });

  describe('call hierarchy', () => {
    it('bookshop: listBooks, called by its route, calling present', () => {
      checkCallHierarchy(bookshop, { path: BOOKS, cursor: 'async function $0listBooks' }, expect`
        item: books.listBooks (function) src/routes/books.js:20:1-27:2 (20:16-20:25) · 1 call · 529 ms
          node: books.listBooks
        incoming:
          GET /books (route) src/routes/books.js:20:1-27:2 (20:16-20:25) · 1 call · 529 ms
        outgoing:
          books.present (function) src/routes/books.js:6:1-18:2 (6:16-6:23) · 200 calls · 497 ms
      `);
    });

    it('bookshop: inside present, the item is present', () => {
      checkCallHierarchy(bookshop, { path: BOOKS, cursor: '$0const tags = ' }, expect`
        item: books.present (function) src/routes/books.js:6:1-18:2 (6:16-6:23) · 200 calls · 497 ms
          node: books.present
        incoming:
          books.listBooks (function) src/routes/books.js:20:1-27:2 (20:16-20:25) · 200 calls · 497 ms
        outgoing:
          (none)
      `);
    });

    it('bookshop: the route as a node', () => {
      checkCallHierarchy(bookshop, { node: 'route:GET /books' }, expect`
        item: GET /books (route) src/routes/books.js:20:1-27:2 (20:16-20:25) · 1 call · 531 ms
          node: route:GET /books
        incoming:
          (none)
        outgoing:
          books.listBooks (function) src/routes/books.js:20:1-27:2 (20:16-20:25) · 1 call · 529 ms
      `);
    });

    it('rails (corpus recording): UsersController#show', () => {
      checkCallHierarchy(rails, { path: USERS, cursor: '  def $0show' }, expect`
        item: UsersController#show (method) app/controllers/users_controller.rb:13:3-17:6 (13:7-13:11) · 1 call · 0.9 ms
          node: UsersController#show
        incoming:
          GET /users/{id} (route) app/controllers/users_controller.rb:13:3-17:6 (13:7-13:11) · 1 call · 0.9 ms
        outgoing:
          (none)
      `);
    });
  });

  describe('workspace symbols', () => {
    it('bookshop: every route and test', () => {
      checkSymbols(bookshop, '', expect`
        route GET /authors · src/routes/authors.js:5:16-5:27 · authors.listAuthors
        route GET /books · src/routes/books.js:20:16-20:25 · books.listBooks
        test bookshop lists the authors with their books · test/bookshop.test.js:1:1 · tmp/appmap/mocha/bookshop/lists_the_authors_with_their_books.appmap.json
        test bookshop lists the books with their authors and tags and ratings · test/bookshop.test.js:1:1 · tmp/appmap/mocha/bookshop/lists_the_books_with_their_authors_and_tags_and_ratings.appmap.json
      `);
    });

    it('bookshop: by part of a name, ignoring case', () => {
      checkSymbols(bookshop, 'BOOKS', expect`
        route GET /books · src/routes/books.js:20:16-20:25 · books.listBooks
        test bookshop lists the authors with their books · test/bookshop.test.js:1:1 · tmp/appmap/mocha/bookshop/lists_the_authors_with_their_books.appmap.json
        test bookshop lists the books with their authors and tags and ratings · test/bookshop.test.js:1:1 · tmp/appmap/mocha/bookshop/lists_the_books_with_their_authors_and_tags_and_ratings.appmap.json
      `);
    });

    it('rails (corpus recording): the route; its test has no symbol, its file is not in the workspace', () => {
      checkSymbols(rails, '', expect`
        route GET /users/{id} · app/controllers/users_controller.rb:13:7-13:11 · UsersController#show
      `);
    });
  });

  describe('since a baseline', () => {
    it('bookshop fixed and recorded again: lenses and hover say what changed since the baseline of the original', () => {
      const fixed = since(recordedFolder([BOOKSHOP, BOOKSHOP_FIXED], (f) => /^(src|test)\/.*\.js$/.test(f), [BOOKS_RECORDING, AUTHORS_RECORDING]), bookshop);
      checkLenses(fixed, BOOKS, expect`
        //- src/routes/books.js
        // GET /books: the catalogue, each book with its author, tags and average rating.

        const { Book } = require('../models');

        /** A book as the API returns it; uses the author, tags and reviews when the query loaded them. */
        async function present(book) {
        //@1 ^ 2 ms → <0.1 ms (within noise) · SQL 7 → 0 · per call
          const author = book.author ?? (await book.getAuthor());
          const tags = book.Tags ?? (await book.getTags());
          const reviews = book.Reviews ?? (await book.getReviews());
          return {
            id: book.id,
            title: book.title,
            year: book.year,
            author: author.name,
            tags: tags.map((t) => t.name).sort(),
            rating: reviews.length ? reviews.reduce((sum, r) => sum + r.rating, 0) / reviews.length : null,
          };
        }

        async function listBooks(req, res) {
        //@1 ^ GET /books · 531 ms → 172 ms (−68%) · SQL 1,402 → 7 (call tree: tmp/appmap/mocha/bookshop/lists_the_books_with_their_authors_and_tags_and_ratings.appmap.json)
        //@1 ^ 529 ms → 170 ms (−68%) · SQL 1,402 → 7
          const books = await Book.findAll({
            order: [['id', 'ASC']],
            include: ['author', 'Tags', 'Reviews'],
          });
          const out = [];
          for (const book of books) out.push(await present(book));
          res.json(out);
        }

        module.exports = { listBooks };
      `);
      checkHover(fixed, BOOKS, 'async function $0listBooks', expect`
        **books.listBooks** · 529 ms → 170 ms (−68%) · SQL 1,402 → 7

        Handles GET /books · 531 ms → 172 ms (−68%) · SQL 1,402 → 7

        **Since the baseline**
        - GET /books: Time: one timed call on each side: cannot tell noise from change.
        - books.listBooks: Time: one timed call on each side: cannot tell noise from change.

        | calls | total | self | mean | max | SQL |
        | ---: | ---: | ---: | ---: | ---: | ---: |
        | 1 | 170 ms | 131 ms | 170 ms | 170 ms | 7 |

        **Queries it ran most**

        1 ×
        \`\`\`sql
        PRAGMA table_info(\`Authors\`)
        \`\`\`

        1 ×
        \`\`\`sql
        PRAGMA table_info(\`BookTags\`)
        \`\`\`

        1 ×
        \`\`\`sql
        PRAGMA table_info(\`Books\`)
        \`\`\`

        1 ×
        \`\`\`sql
        PRAGMA table_info(\`Reviews\`)
        \`\`\`

        1 ×
        \`\`\`sql
        PRAGMA table_info(\`tags\`)
        \`\`\`

        **Recorded in** bookshop lists the books with their authors and tags and ratings (\`tmp/appmap/mocha/bookshop/lists_the_books_with_their_authors_and_tags_and_ratings.appmap.json\`)

        **Slowest path** (170 ms): GET /books → books.listBooks
      `);
    });
  });

  describe('a fixture with a generated recording', () => {
    const fixture = `
      //- app/views.py
      def index(request):
          return render(request, "index.html", {"items": items()})


      def items():
          return [1, 2, 3]
    `;
    const recording = () => {
      const r = new RecordingBuilder();
      r.request('GET', '/items/', 30, () => {
        r.call('app.views', 'index', 'app/views.py', 1, 25, () => {
          for (let i = 0; i < 3; i++) r.call('app.views', 'items', 'app/views.py', 5, 2, () => r.sql('SELECT "app_item"."id" FROM "app_item"'));
        });
      });
      return r;
    };

    it('lenses, hover, call hierarchy and symbols follow the current text', () => {
      const r = recordedFixture(fixture, [recording()]);
      checkLenses(r, 'app/views.py', expect`
        //- app/views.py
        def index(request):
        #@1 ^ GET /items/ · 30 ms · 3 SQL (call tree: tmp/appmap/test0.generated.appmap.json)
        #@1 ^ 25 ms · 1 call · 3 SQL
            return render(request, "index.html", {"items": items()})


        def items():
        #@1 ^ 6 ms · 3 calls · 3 SQL
            return [1, 2, 3]
      `);
      checkHover(r, 'app/views.py', '$0def items', expect`
        **app.views#items** · 6 ms · 3 calls · 3 SQL

        | calls | total | self | mean | max | SQL |
        | ---: | ---: | ---: | ---: | ---: | ---: |
        | 3 | 6 ms | 6 ms | 2 ms | 2 ms | 3 |

        **Queries it ran most**

        3 ×
        \`\`\`sql
        SELECT "app_item"."id" FROM "app_item"
        \`\`\`

        **Recorded in** generated test recording (\`tmp/appmap/test0.generated.appmap.json\`)

        **Slowest path** (2 ms): GET /items/ → views#index → views#items
      `);
      checkCallHierarchy(r, { path: 'app/views.py', cursor: '$0return [1, 2, 3]' }, expect`
        item: views#items (function) app/views.py:5:1-6:21 (5:5-5:10) · 3 calls · 6 ms
          node: app.views#items
        incoming:
          views#index (function) app/views.py:1:1-2:61 (1:5-1:10) · 3 calls · 6 ms
        outgoing:
          (none)
      `);
      checkSymbols(r, 'items', expect`route GET /items/ · app/views.py:1:5-1:10 · views#index`);
    });
  });
});
