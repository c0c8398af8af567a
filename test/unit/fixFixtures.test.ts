// ORM fixes through their checker (support/check.ts checkFix): each finding's fix applied to the
// workspace's text, compared as text, over the bookshop (Sequelize, recorded by appmap-node), the
// Django meetups (its generated recording), a real appmap-ruby recording on rails-sample-app, and a
// fixture whose recording the test builds (a hint, no edit). UPDATE_EXPECT=1 rewrites them.

import * as path from 'node:path';
import { AUTHORS_RECORDING, BOOKS_RECORDING, BOOKSHOP } from '../support/bookshop';
import { checkFix, checkParsers, recordedFixture, recordedFolder } from '../support/check';
import { CORPUS, REPO } from '../support/corpus';
import { expect } from '../support/expect';
import { RecordingBuilder } from '../support/recordingBuilder';

describe('fixes as fixtures (checkFix)', () => {
  before(async () => {
    await checkParsers();
  });

  it('bookshop: includes the author, tags and reviews in Book.findAll', () => {
    checkFix(recordedFolder(BOOKSHOP, (f) => /^src\/.*\.js$/.test(f), [BOOKS_RECORDING, AUTHORS_RECORDING]), expect`
      n-plus-one at src/routes/books.js:21:23-23:5: Load eagerly: include: ['author', 'Tags', 'Reviews']
      //- src/routes/books.js
      // GET /books: the catalogue, each book with its author, tags and average rating.

      const { Book } = require('../models');

      /** A book as the API returns it; uses the author, tags and reviews when the query loaded them. */
      async function present(book) {
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
        const books = await Book.findAll({
          order: [['id', 'ASC']],
          include: ['author', 'Tags', 'Reviews'],
        });
        const out = [];
        for (const book of books) out.push(await present(book));
        res.json(out);
      }

      module.exports = { listBooks };
      hint: add include: ['author', 'Tags', 'Reviews'] to the query at src/routes/books.js:21:23
    `);
  });

  it('django meetups: select_related and prefetch_related on the queryset get_queryset returns', () => {
    const meetups = path.join(REPO, 'test/workspaces/django-meetups');
    checkFix(recordedFolder(meetups, (f) => /^meetups\/.*\.(py|html)$/.test(f), ['tmp/appmap/pytest/test_past_meetings.generated.appmap.json']), expect`
      n-plus-one at meetups/views.py:29:16-29:80: Load eagerly: .select_related("where").prefetch_related("topics", "meeting_sponsors")
      //- meetups/views.py
      """Pages of the meetups app.

      A meeting has a venue (\`\`where\`\`), the topics presented there and the
      sponsors who paid for the pizza. The past meetings page lists all of them,
      oldest first, with their venue, topics and sponsors.
      """

      from django.utils import timezone
      from django.views.generic import DetailView, ListView

      from .models import Meeting


      class MeetingDetailView(DetailView):
          """One meeting, with its venue, its topics and its sponsors."""

          model = Meeting
          template_name = "meetups/meeting_detail.html"
          context_object_name = "meeting"


      class PastMeetingsView(ListView):
          """Every meeting that already took place, oldest first."""

          template_name = "meetups/past_meetings.html"
          context_object_name = "meetings"

          def get_queryset(self):
              return Meeting.objects.filter(when__lt=timezone.now()).order_by("when").select_related("where").prefetch_related("topics", "meeting_sponsors")
      hint: append .select_related("where").prefetch_related("topics", "meeting_sponsors") to the queryset at meetups/views.py:29:16
    `);
  });

  it('rails (corpus recording): includes(image_attachment: :blob) on the profile\'s microposts', () => {
    const rails = path.join(REPO, 'test/workspaces/rails-sample-app');
    checkFix(recordedFolder(rails, (f) => /\.(rb|erb)$/.test(f), [path.join(CORPUS, 'appmaps/ruby/minitest-rails6-users-profile-anonymous-nplus1.appmap.json')]), expect`
      n-plus-one at app/controllers/users_controller.rb:16:19-16:65: Load eagerly: .includes(image_attachment: :blob)
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
          @user = User.find(params[:id])
          redirect_to root_url and return unless @user.activated?
          @microposts = @user.microposts.paginate(page: params[:page]).includes(image_attachment: :blob)
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
      hint: append .includes(image_attachment: :blob) to the query at app/controllers/users_controller.rb:16:19
    `);
  });

  it('a hint, and no edit, where the repeated query matches no relation', () => {
    const r = new RecordingBuilder();
    r.request('GET', '/badges/', 50, () => {
      r.call('meetups.views.MeetingList', 'get_queryset', 'meetups/views.py', 2, 0.1);
      r.call('<templates>.List', 'render', 'meetups/templates/list.html', 1, 40, () => {
        r.sql('SELECT "meetups_meeting"."id" FROM "meetups_meeting"');
        for (let id = 1; id <= 6; id++) r.sql(`SELECT "badges"."id" FROM "badges" WHERE "badges"."owner" = ${id}`);
      });
    });
    const fixture = `
      //- meetups/models.py
      from django.db import models


      class Meeting(models.Model):
          title = models.CharField(max_length=100)
      //- meetups/views.py
      class MeetingList(ListView):
          def get_queryset(self):
              return Meeting.objects.all()
    `;
    checkFix(recordedFixture(fixture, [r]), expect`
      n-plus-one at meetups/views.py:3:16-3:37: How to load eagerly (hint)
      hint: the code around meetups/views.py:3 loads badges (by badges.owner) one query per row; load them in one query with the rows they belong to (a JOIN, or one query with WHERE … IN (…) over all rows)
    `);
  });
});
