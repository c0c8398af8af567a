// The route handler of a request, found from its method and path in the source when the agent
// recorded no function of it (core/placement/routes.ts and routes/): per framework, apps written
// as real ones are (prefixes across files, class-based views, resources, decorators), each request
// checked to the handler's file and lines exactly, with the requests no route serves and those two
// routes serve (no certain handler). Then the committed Rails and Django workspaces with their real
// recordings: every recorded request leads to the controller action or view the agent recorded.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readRecording } from '../../server/src/core/appmap/read';
import { resolveConfig } from '../../server/src/core/config';
import { routeHandler } from '../../server/src/core/placement/routes';
import { SourceParsers } from '../../server/src/core/source/definitions';
import { SourceIndex } from '../../server/src/core/sourceIndex';
import { allCalls, CallKind, callView, childrenOf } from '../../server/src/core/trace';
import { loadParsers } from '../../server/src/node/treeSitter';
import { CORPUS, REPO } from '../support/corpus';
import { loadWorkspace, memoryFiles, parseWorkspace, Workspace } from '../support/fixture';
import { assertLinearWork } from '../support/linearWork';

let parsers: SourceParsers;

function indexOf(workspace: Workspace): SourceIndex {
  return new SourceIndex(memoryFiles(workspace), parsers, resolveConfig({}));
}

/** `METHOD path` → `file:from-to` of its handler, or `none`. */
function handlers(fixture: string | Workspace, requests: string[]): string[] {
  const index = indexOf(typeof fixture === 'string' ? parseWorkspace(fixture) : fixture);
  return requests.map((request) => {
    const [method, requested] = request.split(' ');
    const h = routeHandler(index, method, requested);
    return `${request} → ${h ? `${h.path}:${h.fromLine}-${h.toLine}` : 'none'}`;
  });
}

describe('route handlers found from the request', () => {
  before(async () => {
    parsers = await loadParsers();
  });

  it('Express: first declared route of a router wins; the same path served by two mounted routers is no certainty', () => {
    const app = `
      //- src/app.js
      const express = require('express');
      const app = express();
      app.use('/items', require('./routes/items'));
      app.use('/dup', require('./routes/a'));
      app.use('/dup', require('./routes/b'));
      //- src/routes/items.js
      const router = require('express').Router();
      router.get('/:id', function (req, res) {
        res.json({ id: req.params.id });
      });
      router.get('/new', function (req, res) {
        res.json({});
      });
      router
        .route('/:id/tags')
        .get(function (req, res) {
          res.json([]);
        })
        .post(async (req, res) => {
          res.status(201).end();
        });
      module.exports = router;
      //- src/routes/a.js
      const router = require('express').Router();
      router.get('/', (req, res) => res.json('a'));
      module.exports = router;
      //- src/routes/b.js
      const router = require('express').Router();
      router.get('/', (req, res) => res.json('b'));
      module.exports = router;
    `;
    assert.deepEqual(handlers(app, ['GET /items/new', 'GET /items/{id}', 'GET /items/3/tags', 'POST /items/3/tags', 'DELETE /items/3/tags', 'GET /dup', 'GET /nowhere']), [
      'GET /items/new → src/routes/items.js:2-4',
      'GET /items/{id} → src/routes/items.js:2-4',
      'GET /items/3/tags → src/routes/items.js:10-12',
      'POST /items/3/tags → src/routes/items.js:13-15',
      'DELETE /items/3/tags → none',
      'GET /dup → none',
      'GET /nowhere → none',
    ]);
  });

  it('Express: handlers exported by another file (module.exports object, exports.x, destructured require, ES imports)', () => {
    const app = `
      //- src/app.js
      const express = require('express');
      const routes = require('./routes');
      const { show, remove: destroy } = require('./more');
      const app = express();
      app.get('/projects', routes.list);
      app.get('/projects/:id', show);
      app.delete('/projects/:id', destroy);
      app.get('/tags', routes.tags);
      app.get('/missing', routes.nothing);
      //- src/routes.js
      async function list(req, res) {
        res.json([]);
      }
      const helper = () => 1;
      module.exports = {
        list,
        tags: (req, res) => {
          res.json(helper());
        },
      };
      //- src/more.js
      exports.show = function (req, res) {
        res.json({});
      };
      function remove(req, res) {
        res.status(204).end();
      }
      module.exports.remove = remove;
      //- src/server.ts
      import express from 'express';
      import * as api from './api';
      import { stats as counts } from './api';
      const app = express();
      app.get('/api/ping', api.ping);
      app.get('/api/stats', counts);
      //- src/api.ts
      export function ping(req: unknown, res: { json(v: unknown): void }) {
        res.json('pong');
      }
      const stats = (req: unknown, res: { json(v: unknown): void }) => {
        res.json({});
      };
      export { stats };
    `;
    assert.deepEqual(handlers(app, ['GET /projects', 'GET /projects/{id}', 'DELETE /projects/7', 'GET /tags', 'GET /missing', 'GET /api/ping', 'GET /api/stats']), [
      'GET /projects → src/routes.js:1-3',
      'GET /projects/{id} → src/more.js:1-3',
      'DELETE /projects/7 → src/more.js:4-6',
      'GET /tags → src/routes.js:7-9',
      'GET /missing → none',
      'GET /api/ping → src/api.ts:1-3',
      'GET /api/stats → src/api.ts:4-6',
    ]);
  });

  it('Fastify: plugins registered with a prefix (required, of the same file, in place, nested), the most specific route first', () => {
    const app = `
      //- src/server.js
      const fastify = require('fastify')({ logger: true });
      const users = require('./routes/users');

      fastify.register(users, { prefix: '/api/users' });
      fastify.register(async function (instance) {
        instance.get('/health', async () => ({ ok: true }));
      }, { prefix: '/internal' });
      fastify.register(projectRoutes, { prefix: '/v1' });

      async function projectRoutes(app, opts) {
        app.get('/projects/:id', async (request) => {
          return app.knex('projects').where({ id: request.params.id }).first();
        });
        app.get('/projects/latest', async (request, reply) => {
          return app.knex('projects').orderBy('id', 'desc').first();
        });
      }

      fastify.listen({ port: 3000 });
      //- src/routes/users.js
      module.exports = async function (fastify, opts) {
        fastify.get('/', async function (request, reply) {
          return fastify.knex('users');
        });
        fastify.get('/:id', async (request, reply) => {
          return fastify.knex('users').where({ id: request.params.id }).first();
        });
        fastify.register(require('./posts'), { prefix: '/:userId/posts' });
        fastify.route({
          method: ['PUT', 'PATCH'],
          url: '/:id',
          handler: async (request, reply) => {
            return fastify.knex('users').where({ id: request.params.id }).update(request.body);
          },
        });
      };
      //- src/routes/posts.js
      export default async function posts(app) {
        app.get('/', async (request) => app.knex('posts').where({ user_id: request.params.userId }));
      }
    `;
    assert.deepEqual(
      handlers(app, ['GET /api/users', 'GET /api/users/7', 'GET /api/users/{id}', 'GET /api/users/7/posts', 'GET /internal/health', 'GET /v1/projects/3', 'GET /v1/projects/latest', 'PATCH /api/users/7', 'GET /projects/3', 'POST /api/users']),
      [
        'GET /api/users → src/routes/users.js:2-4',
        'GET /api/users/7 → src/routes/users.js:5-7',
        'GET /api/users/{id} → src/routes/users.js:5-7',
        'GET /api/users/7/posts → src/routes/posts.js:2-2',
        'GET /internal/health → src/server.js:6-6',
        'GET /v1/projects/3 → src/server.js:11-13',
        'GET /v1/projects/latest → src/server.js:14-16',
        'PATCH /api/users/7 → src/routes/users.js:12-14',
        'GET /projects/3 → none',
        'POST /api/users → none',
      ],
    );
  });

  it('NestJS: the controller prefix, the method decorators and the global prefix', () => {
    const app = `
      //- src/users/users.controller.ts
      import { Body, Controller, Get, Param, Post } from '@nestjs/common';
      import { UsersService } from './users.service';

      @Controller('users')
      export class UsersController {
        constructor(private readonly users: UsersService) {}

        @Get()
        findAll() {
          return this.users.findAll();
        }

        @Get(':id')
        async findOne(@Param('id') id: string) {
          return this.users.findOne(+id);
        }

        @Post()
        create(@Body() body: CreateUserDto) {
          return this.users.create(body);
        }
      }
      //- src/projects.controller.ts
      import { Controller, Get, HttpCode } from '@nestjs/common';

      @Controller({ path: 'projects' })
      export class ProjectsController {
        @Get(['list', 'all'])
        @HttpCode(200)
        list() {
          return [];
        }
      }
      //- src/main.ts
      import { NestFactory } from '@nestjs/core';
      import { AppModule } from './app.module';

      async function bootstrap() {
        const app = await NestFactory.create(AppModule);
        app.setGlobalPrefix('api');
        await app.listen(3000);
      }
      bootstrap();
    `;
    assert.deepEqual(handlers(app, ['GET /api/users', 'GET /api/users/42', 'GET /api/users/:id', 'POST /api/users', 'GET /api/projects/all', 'GET /users', 'DELETE /api/users/1']), [
      'GET /api/users → src/users/users.controller.ts:9-11',
      'GET /api/users/42 → src/users/users.controller.ts:14-16',
      'GET /api/users/:id → src/users/users.controller.ts:14-16',
      'POST /api/users → src/users/users.controller.ts:19-21',
      'GET /api/projects/all → src/projects.controller.ts:7-9',
      'GET /users → none',
      'DELETE /api/users/1 → none',
    ]);
  });

  it('Django: include() prefixes across modules, path() converters, re_path, class-based views by method', () => {
    const app = `
      //- mysite/urls.py
      from django.contrib import admin
      from django.urls import include, path, re_path

      from books import views as book_views
      from books import urls as book_urls

      v2_patterns = [
          path("books/", include((book_urls.urlpatterns, "books"))),
          path("loop/", include(v2_patterns)),
      ]

      urlpatterns = [
          path("admin/", admin.site.urls),
          path("api/", include("books.urls")),
          path("v2/", include(v2_patterns)),
          re_path(r"^legacy/(?P<year>[0-9]{4})/$", book_views.archive),
          path("", book_views.home, name="home"),
      ]
      //- mysite/settings.py
      ROOT_URLCONF = "mysite.urls"
      //- shop/urls.py
      from django.urls import path

      from . import views

      # Included by a mechanism runlens does not follow: not served without its prefix.
      urlpatterns = [path("books/", views.shelf)]
      //- shop/views.py
      def shelf(request):
          return None
      //- books/urls.py
      from django.urls import path

      from . import views
      from .views import AuthorList

      app_name = "books"
      urlpatterns = [
          path("books/", views.book_list, name="book-list"),
          path("books/<int:pk>/", views.BookDetail.as_view(), name="book-detail"),
          path("books/<slug:slug>/", views.book_by_slug),
          path("authors/", AuthorList.as_view()),
      ]
      //- books/views.py
      from django.http import JsonResponse
      from django.views import View
      from django.views.generic import ListView

      from .models import Author, Book


      def home(request):
          return JsonResponse({})


      def book_list(request):
          books = Book.objects.all()
          return JsonResponse({"books": [b.title for b in books]})


      def book_by_slug(request, slug):
          return JsonResponse({"slug": slug})


      class BookDetail(View):
          def get(self, request, pk):
              return JsonResponse({"pk": pk})

          def delete(self, request, pk):
              Book.objects.filter(pk=pk).delete()
              return JsonResponse({})


      class AuthorList(ListView):
          model = Author


      @login_required
      def archive(request, year):
          return JsonResponse({"year": year})
    `;
    assert.deepEqual(
      handlers(app, [
        'GET /api/books/',
        'GET /api/books/12/',
        'GET /api/books/{pk}/',
        'DELETE /api/books/12/',
        'POST /api/books/12/',
        'GET /api/books/dune/',
        'GET /v2/books/books/12/',
        'GET /v2/loop/books/books/',
        'GET /api/authors/',
        'GET /legacy/2024/',
        'GET /',
        'GET /books/',
        'GET /legacy/24/',
      ]),
      [
        'GET /api/books/ → books/views.py:12-14',
        'GET /api/books/12/ → books/views.py:22-23',
        'GET /api/books/{pk}/ → books/views.py:22-23',
        'DELETE /api/books/12/ → books/views.py:25-27',
        'POST /api/books/12/ → books/views.py:21-27',
        'GET /api/books/dune/ → books/views.py:17-18',
        'GET /v2/books/books/12/ → books/views.py:22-23',
        // A list that includes itself is followed once.
        'GET /v2/loop/books/books/ → none',
        'GET /api/authors/ → books/views.py:30-31',
        'GET /legacy/2024/ → books/views.py:34-36',
        'GET / → books/views.py:8-9',
        'GET /books/ → none',
        'GET /legacy/24/ → none',
      ],
    );
  });

  it('Rails: verbs with to: and =>, match via:, root, resources (member, nested, only/except), resource, namespace, scope', () => {
    const app = `
      //- config/routes.rb
      Rails.application.routes.draw do
        root "static_pages#home"
        get "/help", to: "static_pages#help"
        get "/signup" => "users#new"
        match "/search", to: "search#index", via: [:get, :post]
        resources :users do
          member do
            get :following, :followers
          end
          resources :posts, only: [:index, :create]
        end
        resource :profile, only: [:show, :update]
        namespace :admin do
          resources :reports, except: [:destroy]
          get "stats", to: "dashboard#stats"
        end
        scope "/api", module: "api" do
          get "status", to: "health#show"
        end
      end
      //- app/controllers/static_pages_controller.rb
      class StaticPagesController < ApplicationController
        def home
        end

        def help
        end
      end
      //- app/controllers/search_controller.rb
      class SearchController < ApplicationController
        def index
          @results = Post.search(params[:q])
        end
      end
      //- app/controllers/users_controller.rb
      class UsersController < ApplicationController
        def index
        end

        def show
        end

        def new
        end

        def create
        end

        def edit
        end

        def update
        end

        def destroy
        end

        def following
        end

        def followers
        end
      end
      //- app/controllers/posts_controller.rb
      class PostsController < ApplicationController
        def index
        end

        def create
        end
      end
      //- app/controllers/profiles_controller.rb
      class ProfilesController < ApplicationController
        def show
        end

        def update
        end
      end
      //- app/controllers/admin/reports_controller.rb
      module Admin
        class ReportsController < ApplicationController
          def index
          end

          def show
          end

          def destroy
          end
        end
      end
      //- app/controllers/admin/dashboard_controller.rb
      class Admin::DashboardController < ApplicationController
        def stats
        end
      end
      //- app/controllers/api/health_controller.rb
      class Api::HealthController < ApplicationController
        def show
          render json: { ok: true }
        end
      end
    `;
    assert.deepEqual(
      handlers(app, [
        'GET /',
        'GET /help',
        'HEAD /help',
        'GET /signup',
        'GET /search',
        'POST /search',
        'DELETE /search',
        'GET /users',
        'GET /users.json',
        'POST /users',
        'GET /users/new',
        'GET /users/5',
        'GET /users/{id}',
        'GET /users/5/edit',
        'PATCH /users/5',
        'PUT /users/5',
        'DELETE /users/5',
        'GET /users/5/following',
        'GET /users/{id}/followers',
        'GET /users/5/posts',
        'POST /users/5/posts',
        'GET /users/5/posts/9',
        'GET /profile',
        'PATCH /profile',
        'DELETE /profile',
        'GET /admin/reports',
        'GET /admin/reports/3',
        'DELETE /admin/reports/3',
        'GET /admin/stats',
        'GET /api/status',
        'GET /status',
      ]),
      [
        'GET / → app/controllers/static_pages_controller.rb:2-3',
        'GET /help → app/controllers/static_pages_controller.rb:5-6',
        'HEAD /help → app/controllers/static_pages_controller.rb:5-6',
        'GET /signup → app/controllers/users_controller.rb:8-9',
        'GET /search → app/controllers/search_controller.rb:2-4',
        'POST /search → app/controllers/search_controller.rb:2-4',
        'DELETE /search → none',
        'GET /users → app/controllers/users_controller.rb:2-3',
        'GET /users.json → app/controllers/users_controller.rb:2-3',
        'POST /users → app/controllers/users_controller.rb:11-12',
        'GET /users/new → app/controllers/users_controller.rb:8-9',
        'GET /users/5 → app/controllers/users_controller.rb:5-6',
        'GET /users/{id} → app/controllers/users_controller.rb:5-6',
        'GET /users/5/edit → app/controllers/users_controller.rb:14-15',
        'PATCH /users/5 → app/controllers/users_controller.rb:17-18',
        'PUT /users/5 → app/controllers/users_controller.rb:17-18',
        'DELETE /users/5 → app/controllers/users_controller.rb:20-21',
        'GET /users/5/following → app/controllers/users_controller.rb:23-24',
        'GET /users/{id}/followers → app/controllers/users_controller.rb:26-27',
        'GET /users/5/posts → app/controllers/posts_controller.rb:2-3',
        'POST /users/5/posts → app/controllers/posts_controller.rb:5-6',
        'GET /users/5/posts/9 → none',
        'GET /profile → app/controllers/profiles_controller.rb:2-3',
        'PATCH /profile → app/controllers/profiles_controller.rb:5-6',
        'DELETE /profile → none',
        'GET /admin/reports → app/controllers/admin/reports_controller.rb:3-4',
        'GET /admin/reports/3 → app/controllers/admin/reports_controller.rb:6-7',
        // `except: [:destroy]`: no route, though the controller has the method.
        'DELETE /admin/reports/3 → none',
        'GET /admin/stats → app/controllers/admin/dashboard_controller.rb:2-3',
        'GET /api/status → app/controllers/api/health_controller.rb:2-4',
        'GET /status → none',
      ],
    );
  });

  it('Flask: route decorators with methods, add_url_rule (a function, a MethodView), blueprints with their own prefix or the one given at registration; the most specific route', () => {
    const app = `
      //- app/__init__.py
      from flask import Flask

      from .api import api
      from .auth import bp as auth_bp
      from .blog import blog


      def create_app():
          app = Flask(__name__)
          app.register_blueprint(auth_bp)
          app.register_blueprint(blog, url_prefix="/posts")
          app.register_blueprint(api)

          @app.route("/")
          def index():
              return "hello"

          return app
      //- app/auth.py
      from flask import Blueprint, request

      bp = Blueprint("auth", __name__, url_prefix="/auth")


      @bp.route("/login", methods=["GET", "POST"])
      def login():
          return "login"


      @bp.post("/logout")
      def logout():
          return "bye"
      //- app/blog.py
      from flask import Blueprint

      blog = Blueprint("blog", __name__, url_prefix="/blog")


      @blog.get("/<int:post_id>")
      def show(post_id):
          return "post"


      @blog.get("/latest")
      def latest():
          return "latest"


      @blog.get("/<slug>")
      def by_slug(slug):
          return "slug"
      //- app/api.py
      from flask import Blueprint
      from flask.views import MethodView

      from .feeds import atom

      api = Blueprint("api", __name__, url_prefix="/api")


      class UserAPI(MethodView):
          def get(self, id):
              return "user"

          def delete(self, id):
              return "gone"


      api.add_url_rule("/users/<int:id>", view_func=UserAPI.as_view("user"))
      api.add_url_rule("/feed.atom", "feed", atom, methods=["GET", "HEAD"])
      //- app/feeds.py
      def atom():
          return "<feed/>"
    `;
    assert.deepEqual(
      handlers(app, ['GET /', 'GET /auth/login', 'POST /auth/login', 'DELETE /auth/login', 'POST /auth/logout', 'GET /posts/3', 'GET /blog/3', 'GET /posts/latest', 'GET /posts/hello', 'GET /posts/{post_id}', 'GET /api/users/4', 'DELETE /api/users/4', 'PUT /api/users/4', 'HEAD /api/feed.atom']),
      [
        'GET / → app/__init__.py:14-16',
        'GET /auth/login → app/auth.py:6-8',
        'POST /auth/login → app/auth.py:6-8',
        'DELETE /auth/login → none',
        'POST /auth/logout → app/auth.py:11-13',
        'GET /posts/3 → app/blog.py:6-8',
        // The prefix given at registration replaces the blueprint's own.
        'GET /blog/3 → none',
        'GET /posts/latest → app/blog.py:11-13',
        'GET /posts/hello → app/blog.py:16-18',
        // A normalized path's parameter matches both parameter routes: Flask's converter of a type comes first.
        'GET /posts/{post_id} → app/blog.py:6-8',
        // A MethodView serves the methods it defines, each by its method.
        'GET /api/users/4 → app/api.py:10-11',
        'DELETE /api/users/4 → app/api.py:13-14',
        'PUT /api/users/4 → none',
        'HEAD /api/feed.atom → app/feeds.py:1-2',
      ],
    );
  });

  it('FastAPI: routers with their prefix, included with another, api_route methods', () => {
    const app = `
      //- main.py
      from fastapi import FastAPI

      from routers import items, users

      app = FastAPI()
      app.include_router(users.router)
      app.include_router(items.router, prefix="/api")


      @app.get("/")
      async def root():
          return {"ok": True}
      //- routers/__init__.py
      //- routers/users.py
      from fastapi import APIRouter

      router = APIRouter(prefix="/users", tags=["users"])


      @router.get("/")
      async def list_users():
          return []


      @router.get("/{user_id}")
      async def read_user(user_id: int):
          return {"id": user_id}
      //- routers/items.py
      from fastapi import APIRouter

      router = APIRouter(prefix="/items")


      @router.api_route("/{item_id}", methods=["GET", "PUT"])
      async def item(item_id: str):
          return {}
    `;
    assert.deepEqual(handlers(app, ['GET /', 'GET /users/', 'GET /users/7', 'GET /users/{user_id}', 'PUT /api/items/x', 'GET /items/x', 'DELETE /api/items/x']), [
      'GET / → main.py:10-12',
      'GET /users/ → routers/users.py:6-8',
      'GET /users/7 → routers/users.py:11-13',
      'GET /users/{user_id} → routers/users.py:11-13',
      'PUT /api/items/x → routers/items.py:6-8',
      'GET /items/x → none',
      'DELETE /api/items/x → none',
    ]);
  });

  it('Spring: the class @RequestMapping prefix, @GetMapping/@PostMapping, @RequestMapping(method=…); the most specific route', () => {
    const app = `
      //- src/main/java/com/example/OwnerController.java
      package com.example;

      import org.springframework.web.bind.annotation.*;

      @RestController
      @RequestMapping("/api/owners")
      public class OwnerController {

          private final OwnerRepository owners;

          public OwnerController(OwnerRepository owners) {
              this.owners = owners;
          }

          @GetMapping
          public List<Owner> list() {
              return owners.findAll();
          }

          @GetMapping("/{id}")
          public Owner show(@PathVariable Long id) {
              return owners.findById(id).orElseThrow();
          }

          @GetMapping("/find")
          public List<Owner> find(@RequestParam String lastName) {
              return owners.findByLastName(lastName);
          }

          @RequestMapping(value = "/{id}", method = RequestMethod.DELETE)
          public void delete(@PathVariable Long id) {
              owners.deleteById(id);
          }

          @PostMapping(path = {"", "/new"})
          public Owner create(@RequestBody Owner owner) {
              return owners.save(owner);
          }
      }
      //- src/main/java/com/example/VetController.java
      package com.example;

      @Controller
      class VetController {
          @RequestMapping("/vets.html")
          public String showVetList(Model model) {
              return "vets/vetList";
          }
      }
    `;
    assert.deepEqual(
      handlers(app, ['GET /api/owners', 'GET /api/owners/1', 'GET /api/owners/{ownerId}', 'GET /api/owners/find', 'DELETE /api/owners/1', 'POST /api/owners/new', 'POST /api/owners', 'GET /vets.html', 'POST /vets.html', 'PUT /api/owners/1']),
      [
        'GET /api/owners → src/main/java/com/example/OwnerController.java:15-18',
        'GET /api/owners/1 → src/main/java/com/example/OwnerController.java:20-23',
        'GET /api/owners/{ownerId} → src/main/java/com/example/OwnerController.java:20-23',
        'GET /api/owners/find → src/main/java/com/example/OwnerController.java:25-28',
        'DELETE /api/owners/1 → src/main/java/com/example/OwnerController.java:30-33',
        'POST /api/owners/new → src/main/java/com/example/OwnerController.java:35-38',
        'POST /api/owners → src/main/java/com/example/OwnerController.java:35-38',
        'GET /vets.html → src/main/java/com/example/VetController.java:5-8',
        'POST /vets.html → src/main/java/com/example/VetController.java:5-8',
        'PUT /api/owners/1 → none',
      ],
    );
  });

  it('two frameworks serving the same request: no certainty', () => {
    const app = `
      //- app.py
      from flask import Flask

      app = Flask(__name__)


      @app.get("/health")
      def health():
          return "ok"
      //- server.js
      const app = require('express')();
      app.get('/health', (req, res) => res.send('ok'));
    `;
    assert.deepEqual(handlers(app, ['GET /health']), ['GET /health → none']);
  });

  it('the committed Rails app with its real appmap-ruby recordings: each request leads to the action the agent recorded', () => {
    const workspace = loadWorkspace(path.join(REPO, 'test/workspaces/rails-sample-app'), () => true);
    const index = indexOf(workspace);
    const seen: string[] = [];
    for (const name of ['minitest-rails6-microposts-interface-nplus1', 'minitest-rails6-users-profile-anonymous-nplus1']) {
      seen.push(...recordedRequests(index, path.join(CORPUS, `appmaps/ruby/${name}.appmap.json`), 'Controller'));
    }
    assert.deepEqual(seen, [
      // app/controllers/sessions_controller.rb is not in the workspace: routes.rb names it, but no handler.
      'POST /login (/login) → none; recorded SessionsController#create app/controllers/sessions_controller.rb:9',
      'GET / (/) → app/controllers/static_pages_controller.rb:4-9; recorded StaticPagesController#home app/controllers/static_pages_controller.rb:4',
      'POST /microposts (/microposts) → app/controllers/microposts_controller.rb:6-16; recorded MicropostsController#create app/controllers/microposts_controller.rb:6',
      'POST /microposts (/microposts) → app/controllers/microposts_controller.rb:6-16; recorded MicropostsController#create app/controllers/microposts_controller.rb:6',
      'GET / (/) → app/controllers/static_pages_controller.rb:4-9; recorded StaticPagesController#home app/controllers/static_pages_controller.rb:4',
      'DELETE /microposts/1033843181 (/microposts/{id}) → app/controllers/microposts_controller.rb:18-22; recorded MicropostsController#destroy app/controllers/microposts_controller.rb:18',
      'GET /users/950961012 (/users/{id}) → app/controllers/users_controller.rb:13-17; recorded UsersController#show app/controllers/users_controller.rb:13',
      'GET /users/762146111 (/users/{id}) → app/controllers/users_controller.rb:13-17; recorded UsersController#show app/controllers/users_controller.rb:13',
    ]);
  });

  it('the committed Django project with its recording: the request leads to the class-based view whose method the agent recorded', () => {
    const dir = path.join(REPO, 'test/workspaces/django-meetups');
    const workspace = loadWorkspace(dir, (p) => p.endsWith('.py'));
    const index = indexOf(workspace);
    assert.deepEqual(recordedRequests(index, path.join(dir, 'tmp/appmap/pytest/test_past_meetings.generated.appmap.json'), 'View'), [
      // PastMeetingsView defines no get(): the class is the handler, and the agent recorded its get_queryset.
      'GET /meetings/past/ (/meetings/past/) → meetups/views.py:22-29; recorded meetups.views.PastMeetingsView#get_queryset meetups/views.py:28',
    ]);
    assert.deepEqual(handlers(workspace, ['GET /meetings/7/', 'GET /meetings/{pk}/', 'GET /meetups/past/']), [
      'GET /meetings/7/ → meetups/views.py:14-19',
      'GET /meetings/{pk}/ → meetups/views.py:14-19',
      'GET /meetups/past/ → none',
    ]);
  });

  it("Spring in spring-petclinic's shape with the requests of the corpus's real appmap-java recordings: each leads to the method the agent recorded", () => {
    const app = `
      //- src/main/java/org/springframework/samples/petclinic/owner/OwnerController.java
      package org.springframework.samples.petclinic.owner;

      @Controller
      class OwnerController {

          private final OwnerRepository owners;

          @InitBinder
          public void setAllowedFields(WebDataBinder dataBinder) {
              dataBinder.setDisallowedFields("id");
          }

          @ModelAttribute("owner")
          public Owner findOwner(@PathVariable(name = "ownerId", required = false) Integer ownerId) {
              return ownerId == null ? new Owner() : this.owners.findById(ownerId);
          }

          @GetMapping("/owners/new")
          public String initCreationForm(Map<String, Object> model) {
              return VIEWS_OWNER_CREATE_OR_UPDATE_FORM;
          }

          @PostMapping("/owners/new")
          public String processCreationForm(@Valid Owner owner, BindingResult result) {
              this.owners.save(owner);
              return "redirect:/owners/" + owner.getId();
          }

          @GetMapping("/owners/find")
          public String initFindForm() {
              return "owners/findOwners";
          }

          @GetMapping("/owners")
          public String processFindForm(@RequestParam(defaultValue = "1") int page, Owner owner, BindingResult result, Model model) {
              return "owners/ownersList";
          }

          @GetMapping("/owners/{ownerId}/edit")
          public String initUpdateOwnerForm(@PathVariable("ownerId") int ownerId, Model model) {
              return VIEWS_OWNER_CREATE_OR_UPDATE_FORM;
          }

          @GetMapping("/owners/{ownerId}")
          public ModelAndView showOwner(@PathVariable("ownerId") int ownerId) {
              ModelAndView mav = new ModelAndView("owners/ownerDetails");
              mav.addObject(this.owners.findById(ownerId));
              return mav;
          }
      }
      //- src/main/java/org/springframework/samples/petclinic/web/VisitController.java
      package org.springframework.samples.petclinic.web;

      @Controller
      class VisitController {

          @ModelAttribute("visit")
          public Visit loadPetWithVisit(@PathVariable("petId") int petId, Map<String, Object> model) {
              return new Visit();
          }

          @GetMapping("/owners/*/pets/{petId}/visits/new")
          public String initNewVisitForm(@PathVariable("petId") int petId, Map<String, Object> model) {
              return "pets/createOrUpdateVisitForm";
          }

          @GetMapping("/owners/*/pets/{petId}/visits")
          public String showVisits(@PathVariable int petId, Map<String, Object> model) {
              return "visitList";
          }
      }
      //- src/main/java/org/springframework/samples/petclinic/vet/VetController.java
      package org.springframework.samples.petclinic.vet;

      @Controller
      class VetController {

          @GetMapping("/vets.html")
          public String showVetList(@RequestParam(defaultValue = "1") int page, Model model) {
              return "vets/vetList";
          }

          @GetMapping({ "/vets" })
          public @ResponseBody Vets showResourcesVetList() {
              return new Vets();
          }
      }
      //- src/main/java/org/springframework/samples/petclinic/system/CrashController.java
      package org.springframework.samples.petclinic.system;

      @Controller
      class CrashController {

          @GetMapping("/oups")
          public String triggerException() {
              throw new RuntimeException("Expected: controller used to showcase what happens when an exception is thrown");
          }
      }
    `;
    const workspace = parseWorkspace(app);
    const index = indexOf(workspace);
    /** The name of the method a handler's lines declare. */
    const methodAt = (h: { path: string; fromLine: number }) => /(\w+)\s*\(/.exec(workspace.files.get(h.path)!.split('\n')[h.fromLine])?.[1];
    const seen: string[] = [];
    for (const name of fs.readdirSync(path.join(CORPUS, 'appmaps/java')).sort()) {
      const file = path.join(CORPUS, 'appmaps/java', name);
      const { trace } = readRecording(file, fs.readFileSync(file, 'utf8'));
      for (const request of allCalls(trace)) {
        if (request.kind !== CallKind.HttpServer || !request.http) continue;
        const { method, path: requested, route } = request.http;
        const found = routeHandler(index, method, requested);
        assert.deepEqual(routeHandler(index, method, route.slice(method.length + 1)), found);
        const recorded = new Set<string>();
        const { depth, fn: fnOf } = trace.calls;
        for (let c = request.index + 1; c < trace.calls.length && depth[c] > request.depth; c++) {
          const fn = fnOf[c] === -1 ? undefined : trace.functions[fnOf[c]];
          if (fn && /petclinic\.\w+\.\w+Controller$/.test(fn.definedClass)) recorded.add(fn.methodId);
        }
        seen.push(`${name.replace('.appmap.json', '')}: ${method} ${requested} → ${found ? methodAt(found) : 'none'}; recorded ${[...recorded].sort().join(', ')}`);
      }
    }
    assert.deepEqual(seen, [
      'junit-petclinic-owner-init-creation-form: GET /owners/new → initCreationForm; recorded initCreationForm, setAllowedFields',
      'junit-petclinic-visit-controller-show-visits: GET /owners/*/pets/1/visits → showVisits; recorded loadPetWithVisit, setAllowedFields, showVisits',
      'remote-recording-petclinic-create-owner: POST /owners/new → processCreationForm; recorded processCreationForm, setAllowedFields',
      'request-recording-long-package: GET /owners/find → initFindForm; recorded findOwner, initFindForm, setAllowedFields',
      // Spring Boot's own error controller serves /error: none of the workspace's.
      'request-recording-oups-exception: GET /oups → triggerException; recorded triggerException',
      'request-recording-oups-exception: GET /error → none; recorded ',
      'request-recording-petclinic-owner-sql: GET /owners/1 → showOwner; recorded findOwner, setAllowedFields, showOwner',
      'request-recording-vets-html-sql: GET /vets.html → showVetList; recorded showVetList',
      'toggle-record-petclinic-with-queries: GET /owners/1 → showOwner; recorded findOwner, setAllowedFields, showOwner',
    ]);
  });

  it('linear work: the route table of n routes of each framework, read once for n requests', () => {
    assertLinearWork('route handlers, n routes of each framework', (n) => {
      const files = new Map<string, string>();
      const routes = ['Rails.application.routes.draw do'];
      const urls = ['from django.urls import path', 'from . import views', 'urlpatterns = ['];
      const views: string[] = [];
      for (let k = 0; k < n; k++) {
        routes.push(`  resources :things${k}`);
        files.set(`app/controllers/things${k}_controller.rb`, `class Things${k}Controller < ApplicationController\n  def show\n  end\nend\n`);
        urls.push(`    path("page${k}/<int:pk>/", views.page${k}),`);
        views.push(`def page${k}(request, pk):`, '    return None', '');
        files.set(`src/p${k}.js`, `module.exports = async function (app) {\n  app.get('/', async () => 'p${k}');\n};\n`);
        files.set(`src/c${k}.controller.ts`, `@Controller('c${k}')\nexport class C${k}Controller {\n  @Get(':id')\n  find() {}\n}\n`);
        files.set(`bp/b${k}.py`, `from flask import Blueprint\n\nbp = Blueprint("b${k}", __name__, url_prefix="/b${k}")\n\n\n@bp.get("/<int:id>")\ndef show(id):\n    return ""\n`);
        files.set(`src/main/java/S${k}Controller.java`, `@RestController\n@RequestMapping("/s${k}")\nclass S${k}Controller {\n  @GetMapping("/{id}")\n  String show() { return ""; }\n}\n`);
      }
      // Every Nest route under the one global prefix: the table's key is two segments deep.
      files.set('src/main.ts', "const app = await NestFactory.create(AppModule);\napp.setGlobalPrefix('api');\n");
      files.set('src/server.js', ["const fastify = require('fastify')();", ...Array.from({ length: n }, (_, k) => `fastify.register(require('./p${k}'), { prefix: '/p${k}' });`), ''].join('\n'));
      files.set('bp/app.py', ['from flask import Flask', ...Array.from({ length: n }, (_, k) => `from .b${k} import bp as b${k}`), 'app = Flask(__name__)', ...Array.from({ length: n }, (_, k) => `app.register_blueprint(b${k})`), ''].join('\n'));
      files.set('config/routes.rb', [...routes, 'end', ''].join('\n'));
      files.set('site/urls.py', [...urls, ']', ''].join('\n'));
      files.set('site/views.py', views.join('\n'));
      const index = indexOf({ files });
      return () => {
        for (let k = 0; k < n; k++) {
          assert.equal(routeHandler(index, 'GET', `/things${k}/1`)?.path, `app/controllers/things${k}_controller.rb`);
          assert.equal(routeHandler(index, 'GET', `/page${k}/1/`)?.fromLine, 3 * k + 1);
          assert.equal(routeHandler(index, 'GET', `/p${k}`)?.path, `src/p${k}.js`);
          assert.equal(routeHandler(index, 'GET', `/api/c${k}/1`)?.path, `src/c${k}.controller.ts`);
          assert.equal(routeHandler(index, 'GET', `/b${k}/1`)?.path, `bp/b${k}.py`);
          assert.equal(routeHandler(index, 'GET', `/s${k}/1`)?.path, `src/main/java/S${k}Controller.java`);
        }
      };
    }, 20);
  });
});

/**
 * Each request of a real recording: what the route lookup finds from its method and path (and
 * the same from its normalized path), and the handler the agent recorded under it: its first
 * recorded call of a class whose name ends with `suffix` that the found lines hold, else its first.
 */
function recordedRequests(index: SourceIndex, file: string, suffix: string): string[] {
  const { trace, problems } = readRecording(file, fs.readFileSync(file, 'utf8'));
  assert.deepEqual(problems, []);
  const out: string[] = [];
  for (const request of allCalls(trace)) {
    if (request.kind !== CallKind.HttpServer || !request.http) continue;
    const { method, path: requested } = request.http;
    const normalized = request.http.route.slice(method.length + 1);
    const found = routeHandler(index, method, requested);
    const byNormalized = routeHandler(index, method, normalized === '' ? '/' : normalized);
    assert.deepEqual(byNormalized, found, `${method} ${normalized}: as ${requested}`);
    const recorded: string[] = [];
    const walk = (i: number) => {
      for (const c of childrenOf(trace, i)) {
        const call = callView(trace, c);
        const fn = call.kind === CallKind.Function && call.fn !== -1 ? trace.functions[call.fn] : undefined;
        if (fn && fn.definedClass.endsWith(suffix) && fn.recordedPath && !fn.recordedPath.includes('/gems/') && !fn.recordedPath.startsWith('/')) {
          const held = found && found.path === fn.recordedPath && fn.recordedLine !== undefined && fn.recordedLine >= found.fromLine && fn.recordedLine <= found.toLine;
          recorded.push(`${held ? '!' : ''}${fn.definedClass}#${fn.methodId} ${fn.recordedPath}:${fn.recordedLine}`);
        }
        walk(c);
      }
    };
    walk(request.index);
    const shown = recorded.find((r) => r.startsWith('!'))?.slice(1) ?? recorded[0];
    out.push(`${method} ${requested} (${normalized}) → ${found ? `${found.path}:${found.fromLine}-${found.toLine}` : 'none'}; recorded ${shown}`);
  }
  return out;
}
