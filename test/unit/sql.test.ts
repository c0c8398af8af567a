// Tests for SQL shapes and facts (server/src/core/sql): real queries copied from the shared AppMap
// corpus (Django, Rails, Sequelize, Hibernate, Spree), edge cases, and hostile input.

import * as assert from 'node:assert/strict';
import { SqlDialect, SqlFacts, dialectOf, normalizeSql, sqlFacts } from '../../server/src/core/sql/normalize';

describe('sql', () => {
  describe('dialectOf', () => {
    it('maps the database_type spellings found in recordings', () => {
      checkDialect('sqlite', 'sqlite');
      checkDialect('sqlite3', 'sqlite');
      checkDialect('postgresql', 'postgres');
      checkDialect('postgres', 'postgres');
      checkDialect('MySQL', 'mysql');
      checkDialect('mariadb', 'mysql');
      checkDialect('H2', 'generic');
      checkDialect('HSQL Database Engine', 'generic');
      checkDialect('oracle', 'generic');
      checkDialect(undefined, 'generic');
      checkDialect('', 'generic');
    });
  });

  describe('normalizeSql on corpus queries', () => {
    it('Django (sqlite): inlined id and LIMIT', () => {
      checkShape(
        'SELECT "meetings_venue"."id", "meetings_venue"."created", "meetings_venue"."modified", "meetings_venue"."name", "meetings_venue"."email", "meetings_venue"."phone", "meetings_venue"."address", "meetings_venue"."directions", "meetings_venue"."embed_map", "meetings_venue"."link" FROM "meetings_venue" WHERE "meetings_venue"."id" = 1 LIMIT 21',
        'SELECT "meetings_venue"."id", "meetings_venue"."created", "meetings_venue"."modified", "meetings_venue"."name", "meetings_venue"."email", "meetings_venue"."phone", "meetings_venue"."address", "meetings_venue"."directions", "meetings_venue"."embed_map", "meetings_venue"."link" FROM "meetings_venue" WHERE "meetings_venue"."id" = ? LIMIT ?',
        'sqlite',
      );
    });

    it('Django (postgres): IN list of one and an inlined id', () => {
      checkShape(
        'SELECT "misago_users_user_roles"."role_id" FROM "misago_users_user_roles" WHERE ("misago_users_user_roles"."role_id" IN (1) AND "misago_users_user_roles"."user_id" = 2215)',
        'SELECT "misago_users_user_roles"."role_id" FROM "misago_users_user_roles" WHERE ("misago_users_user_roles"."role_id" IN (?) AND "misago_users_user_roles"."user_id" = ?)',
        'postgres',
      );
    });

    it('Django (postgres): a string with a ::timestamptz cast inside VALUES', () => {
      checkShape(
        `INSERT INTO "misago_users_online" ("user_id", "last_click") VALUES (2215, '2021-11-18T04:36:14.259910+00:00'::timestamptz)`,
        'INSERT INTO "misago_users_online" ("user_id", "last_click") VALUES (?, ?::timestamptz)',
        'postgres',
      );
    });

    it('Django: savepoint names are generated per call, so they become ?', () => {
      checkShape('SAVEPOINT "s281473165533200_x8570"', 'SAVEPOINT ?');
      checkShape('RELEASE SAVEPOINT "s281473165533200_x8570"', 'RELEASE SAVEPOINT ?');
      checkShape('ROLLBACK TO SAVEPOINT active_record_1', 'ROLLBACK TO SAVEPOINT ?', 'sqlite');
    });

    it('Django: server-side cursor name and a five-element IN list', () => {
      checkShape(
        'DECLARE "_django_curs_281473165533200_12733" NO SCROLL CURSOR WITHOUT HOLD FOR SELECT "misago_threads_subscription"."id", "misago_threads_subscription"."user_id", "misago_threads_subscription"."thread_id", "misago_threads_subscription"."category_id", "misago_threads_subscription"."last_read_on", "misago_threads_subscription"."send_email" FROM "misago_threads_subscription" WHERE ("misago_threads_subscription"."user_id" = 1954 AND "misago_threads_subscription"."thread_id" IN (1343, 1342, 1341, 1340, 1339))',
        'DECLARE ? NO SCROLL CURSOR WITHOUT HOLD FOR SELECT "misago_threads_subscription"."id", "misago_threads_subscription"."user_id", "misago_threads_subscription"."thread_id", "misago_threads_subscription"."category_id", "misago_threads_subscription"."last_read_on", "misago_threads_subscription"."send_email" FROM "misago_threads_subscription" WHERE ("misago_threads_subscription"."user_id" = ? AND "misago_threads_subscription"."thread_id" IN (?))',
      );
    });

    it('Django: (1) is not an IN list but still a literal; double spaces collapse', () => {
      checkShape(
        `SELECT (1) AS "a" FROM "django_session" WHERE "django_session"."session_key" = 'jho2fw5mpchk9lj7y97socil0pmhfu2g'  LIMIT 1`,
        'SELECT (?) AS "a" FROM "django_session" WHERE "django_session"."session_key" = ? LIMIT ?',
      );
    });

    it('Rails (sqlite): ? placeholders stay ?', () => {
      checkShape('SELECT "users".* FROM "users" WHERE "users"."id" = ? LIMIT ?', 'SELECT "users".* FROM "users" WHERE "users"."id" = ? LIMIT ?', 'sqlite');
    });

    it('Rails (sqlite): a 30-placeholder IN list collapses', () => {
      checkShape(
        'SELECT "active_storage_attachments".* FROM "active_storage_attachments" WHERE "active_storage_attachments"."record_type" = ? AND "active_storage_attachments"."name" = ? AND "active_storage_attachments"."record_id" IN (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        'SELECT "active_storage_attachments".* FROM "active_storage_attachments" WHERE "active_storage_attachments"."record_type" = ? AND "active_storage_attachments"."name" = ? AND "active_storage_attachments"."record_id" IN (?)',
        'sqlite',
      );
    });

    it('Rails (sqlite): hand-written SQL with newlines and an IN subquery', () => {
      checkShape(
        'SELECT COUNT(*) FROM "microposts" WHERE (user_id IN (SELECT followed_id FROM relationships\n                     WHERE  follower_id = 762146111)\n                     OR user_id = 762146111)',
        'SELECT COUNT(*) FROM "microposts" WHERE (user_id IN (SELECT followed_id FROM relationships WHERE follower_id = ?) OR user_id = ?)',
        'sqlite',
      );
    });

    it('Rails (postgres): $n placeholders', () => {
      checkShape(
        'SELECT "spree_orders".* FROM "spree_orders" WHERE ("spree_orders"."sample_indicator_id" = $1 OR "spree_orders"."sample_indicator_id" IS NULL) AND "spree_orders"."completed_at" IS NULL AND "spree_orders"."currency" = $2 AND "spree_orders"."guest_token" = $3 AND "spree_orders"."store_id" = $4 AND "spree_orders"."user_id" = $5 LIMIT $6',
        'SELECT "spree_orders".* FROM "spree_orders" WHERE ("spree_orders"."sample_indicator_id" = ? OR "spree_orders"."sample_indicator_id" IS NULL) AND "spree_orders"."completed_at" IS NULL AND "spree_orders"."currency" = ? AND "spree_orders"."guest_token" = ? AND "spree_orders"."store_id" = ? AND "spree_orders"."user_id" = ? LIMIT ?',
        'postgres',
      );
    });

    it('Rails (postgres): a backslash in a standard string is not an escape', () => {
      checkShape(
        `INSERT INTO "scenarios" ("org_id", "link_sharing", "sha_256") VALUES (31, true, '\\x44ea81a387d1b942a9d9dbe481b8c003ea4655e10210a46fc1a7b209d710aafe') RETURNING *`,
        'INSERT INTO "scenarios" ("org_id", "link_sharing", "sha_256") VALUES (?, true, ?) RETURNING *',
        'postgres',
      );
    });

    it('Rails fixtures: a batch of statements, identical VALUES shapes kept per statement', () => {
      checkShape(
        `DELETE FROM "relationships";\nDELETE FROM "users";\nDELETE FROM "microposts";\nINSERT INTO "relationships" ("id", "follower_id", "followed_id", "created_at", "updated_at") VALUES (980190962, 762146111, 409608538, '2021-11-11 17:46:42.835626', '2021-11-11 17:46:42.835626');\nINSERT INTO "relationships" ("id", "follower_id", "followed_id", "created_at", "updated_at") VALUES (298486374, 762146111, 659682706, '2021-11-11 17:46:42.835626', '2021-11-11 17:46:42.835626');`,
        'DELETE FROM "relationships"; DELETE FROM "users"; DELETE FROM "microposts"; INSERT INTO "relationships" ("id", "follower_id", "followed_id", "created_at", "updated_at") VALUES (?); INSERT INTO "relationships" ("id", "follower_id", "followed_id", "created_at", "updated_at") VALUES (?)',
        'sqlite',
      );
    });

    it('Sequelize (sqlite): backtick identifiers, NULL kept, comma spacing made canonical, trailing ; dropped', () => {
      checkShape(
        'INSERT INTO `Memories` (`id`,`caption`,`imagePath`,`createdAt`,`updatedAt`,`UserId`) VALUES (NULL,$1,$2,$3,$4,$5);',
        'INSERT INTO `Memories` (`id`, `caption`, `imagePath`, `createdAt`, `updatedAt`, `UserId`) VALUES (NULL, ?, ?, ?, ?, ?)',
        'sqlite',
      );
      checkShape('UPDATE `Users` SET `deletedAt`=$1 WHERE `deletedAt` IS NULL AND `id` = $2', 'UPDATE `Users` SET `deletedAt`=? WHERE `deletedAt` IS NULL AND `id` = ?', 'sqlite');
    });

    it('juice-shop (sqlite): inlined strings', () => {
      checkShape(
        `SELECT * FROM Users WHERE email = 'foo' AND password = '37b51d194a7513e45b56f6524f2d51f2' AND deletedAt IS NULL`,
        'SELECT * FROM Users WHERE email = ? AND password = ? AND deletedAt IS NULL',
        'sqlite',
      );
    });

    it('Hibernate (MySQL, H2): no spaces after commas, ? placeholders, null inside VALUES', () => {
      checkShape(
        'select o1_0.id,o1_0.address,o1_0.city,o1_0.first_name,o1_0.last_name,p1_0.owner_id,p1_0.id,p1_0.birth_date,p1_0.name,p1_0.type_id,o1_0.telephone from owners o1_0 left join pets p1_0 on o1_0.id=p1_0.owner_id where o1_0.id=? order by p1_0.name',
        'select o1_0.id, o1_0.address, o1_0.city, o1_0.first_name, o1_0.last_name, p1_0.owner_id, p1_0.id, p1_0.birth_date, p1_0.name, p1_0.type_id, o1_0.telephone from owners o1_0 left join pets p1_0 on o1_0.id=p1_0.owner_id where o1_0.id=? order by p1_0.name',
        'mysql',
      );
      checkShape(
        'insert into owners (id, first_name, last_name, address, city, telephone) values (null, ?, ?, ?, ?, ?)',
        'insert into owners (id, first_name, last_name, address, city, telephone) values (null, ?, ?, ?, ?, ?)',
      );
    });

    it('sqlite catalog query over several lines', () => {
      checkShape(
        `SELECT sql FROM\n  (SELECT * FROM sqlite_master UNION ALL\n   SELECT * FROM sqlite_temp_master)\nWHERE type = 'table' AND name = 'active_storage_blobs'\n`,
        'SELECT sql FROM (SELECT * FROM sqlite_master UNION ALL SELECT * FROM sqlite_temp_master) WHERE type = ? AND name = ?',
        'sqlite',
      );
    });

    it('postgres: casts, array subscripts and a string holding double quotes', () => {
      checkShape(
        `SELECT a.attname\n  FROM (\n         SELECT indrelid, indkey, generate_subscripts(indkey, 1) idx\n           FROM pg_index\n          WHERE indrelid = '"spree_payments"'::regclass\n            AND indisprimary\n       ) i\n  JOIN pg_attribute a\n    ON a.attrelid = i.indrelid\n   AND a.attnum = i.indkey[i.idx]\n ORDER BY i.idx\n`,
        'SELECT a.attname FROM (SELECT indrelid, indkey, generate_subscripts(indkey, ?) idx FROM pg_index WHERE indrelid = ?::regclass AND indisprimary) i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[i.idx] ORDER BY i.idx',
        'postgres',
      );
    });
  });

  describe('normalizeSql: grouping', () => {
    it('the same query with different literals has one shape', () => {
      const shape = 'SELECT "meetings_topic"."id" FROM "meetings_topic" WHERE "meetings_topic"."meeting_id" = ?';
      checkShape('SELECT "meetings_topic"."id" FROM "meetings_topic" WHERE "meetings_topic"."meeting_id" = 1', shape);
      checkShape('SELECT "meetings_topic"."id" FROM "meetings_topic" WHERE "meetings_topic"."meeting_id" = 42', shape);
      checkShape('SELECT "meetings_topic"."id" FROM "meetings_topic" WHERE "meetings_topic"."meeting_id" = $1', shape);
      checkShape('SELECT "meetings_topic"."id" FROM "meetings_topic" WHERE "meetings_topic"."meeting_id" = -7', shape);
      checkShape("SELECT \"meetings_topic\".\"id\" FROM \"meetings_topic\" WHERE \"meetings_topic\".\"meeting_id\" = 'x''y'", shape);
      checkShape('/* controller:meetings */ SELECT "meetings_topic"."id"\n  FROM "meetings_topic"\n WHERE "meetings_topic"."meeting_id" = 3;', shape);
    });

    it('IN lists of any length and spacing have one shape', () => {
      const shape = 'SELECT * FROM t WHERE id IN (?)';
      checkShape('SELECT * FROM t WHERE id IN (1)', shape);
      checkShape('SELECT * FROM t WHERE id IN (1, 2)', shape);
      checkShape('SELECT * FROM t WHERE id IN (1,2,3)', shape);
      checkShape('SELECT * FROM t WHERE id IN ( 1 , 2 )', shape);
      checkShape('SELECT * FROM t WHERE id IN (?,?)', shape);
      checkShape("SELECT * FROM t WHERE id IN ('a', 'b', 'c')", shape);
      checkShape('SELECT * FROM t WHERE id in ($1, $2)', 'SELECT * FROM t WHERE id in (?)');
      checkShape('SELECT * FROM t WHERE id NOT IN (:a, :b)', 'SELECT * FROM t WHERE id NOT IN (?)');
    });

    it('an IN list holding anything but values is kept', () => {
      checkShape('SELECT * FROM t WHERE id IN (1, NULL)', 'SELECT * FROM t WHERE id IN (?, NULL)');
      checkShape('SELECT * FROM t WHERE id IN (SELECT id FROM u WHERE k = 1)', 'SELECT * FROM t WHERE id IN (SELECT id FROM u WHERE k = ?)');
      checkShape('SELECT * FROM t WHERE (a, b) IN ((1, 2), (3, 4))', 'SELECT * FROM t WHERE (a, b) IN ((?, ?), (?, ?))');
    });

    it('VALUES rows collapse; identical repeated rows collapse to one', () => {
      checkShape("INSERT INTO t (a, b) VALUES (1, 'x')", 'INSERT INTO t (a, b) VALUES (?)');
      checkShape("INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y'), (3, 'z')", 'INSERT INTO t (a, b) VALUES (?)');
      checkShape('INSERT INTO t (a, b) VALUES (1, now()), (2, now())', 'INSERT INTO t (a, b) VALUES (?, now())');
      checkShape('INSERT INTO t (a, b) VALUES (1, now()), (2, 3)', 'INSERT INTO t (a, b) VALUES (?, now()), (?)');
    });

    it('different tables or columns give different shapes', () => {
      const users = checkShape('SELECT * FROM "users" WHERE "users"."id" = 1', 'SELECT * FROM "users" WHERE "users"."id" = ?');
      const posts = checkShape('SELECT * FROM "posts" WHERE "posts"."id" = 1', 'SELECT * FROM "posts" WHERE "posts"."id" = ?');
      const byEmail = checkShape('SELECT * FROM "users" WHERE "users"."email" = 1', 'SELECT * FROM "users" WHERE "users"."email" = ?');
      assert.notEqual(users, posts);
      assert.notEqual(users, byEmail);
    });
  });

  describe('normalizeSql: literals and placeholders', () => {
    it('numbers: ints, decimals, exponents, hex, signed after an operator', () => {
      checkShape('SELECT * FROM t WHERE a = -5 AND b = +1.5e-3 AND c = 0x1F AND d = .5 AND e = 10.', 'SELECT * FROM t WHERE a = ? AND b = ? AND c = ? AND d = ? AND e = ?');
    });

    it('a minus after an operand is subtraction', () => {
      checkShape('UPDATE t SET a = a - 1, b = a-1, c = (-2) WHERE id = 1', 'UPDATE t SET a = a - ?, b = a-?, c = (?) WHERE id = ?');
      checkShape('SELECT -1 FROM t LIMIT 21 OFFSET 40', 'SELECT ? FROM t LIMIT ? OFFSET ?');
    });

    it('TRUE, FALSE and NULL are kept', () => {
      checkShape('select * from t where a is null and b is not null and c = true and d = FALSE', 'select * from t where a is null and b is not null and c = true and d = FALSE');
    });

    it('identifiers with digits are not numbers', () => {
      checkShape('select pet0_.id as id1_1_ from pets pet0_ where pet0_.id=?', 'select pet0_.id as id1_1_ from pets pet0_ where pet0_.id=?');
    });

    it('mysql: double quotes and backslash escapes are strings, # starts a comment', () => {
      checkShape(`SELECT * FROM \`users\` WHERE name = "bob" AND x = 'it\\'s' AND y = 'a''b' # trailing`, 'SELECT * FROM `users` WHERE name = ? AND x = ? AND y = ?', 'mysql');
    });

    it('postgres: E strings, dollar quotes, nested comments', () => {
      checkShape("SELECT E'a\\'b', $$body$$, $tag$ x $ y $tag$, $1 FROM t", 'SELECT ?, ?, ?, ? FROM t', 'postgres');
      checkShape('/* outer /* nested */ still comment */ SELECT 1', 'SELECT ?', 'postgres');
    });

    it('prefixed strings and blobs', () => {
      checkShape("SELECT X'0aff', x'00', B'0101', N'x', U&'d\\0061t' FROM t", 'SELECT ?, ?, ?, ?, ? FROM t');
    });

    it('every placeholder style becomes ?', () => {
      checkShape('SELECT * FROM t WHERE a = ? AND b = ?1 AND c = $2 AND d = :name AND e = :1 AND f = %s AND g = %(key)s AND h = @p1', 'SELECT * FROM t WHERE a = ? AND b = ? AND c = ? AND d = ? AND e = ? AND f = ? AND g = ? AND h = ?');
    });

    it('casts, slices and system variables are not placeholders', () => {
      checkShape("SELECT x::int, '2021-01-01'::date, arr[1:2], arr[i:j] FROM t", 'SELECT x::int, ?::date, arr[?:?], arr[i:j] FROM t', 'postgres');
      checkShape('SELECT @@version', 'SELECT @@version', 'mysql');
    });

    it('sqlite bracket identifiers are kept', () => {
      checkShape('SELECT [order].[id] FROM [order] WHERE [order].[id] = 1', 'SELECT [order].[id] FROM [order] WHERE [order].[id] = ?', 'sqlite');
    });
  });

  describe('normalizeSql: comments and whitespace', () => {
    it('Rails and sqlcommenter annotations are dropped', () => {
      checkShape(
        "/*application:Blog,controller:posts,action:index*/ SELECT \"posts\".* FROM \"posts\" WHERE \"posts\".\"id\" = $1 LIMIT $2 /*traceparent='00-5bd66ef5095369c7b0d1f8f4bd33716a-c532cb4098ac3dd2-01'*/",
        'SELECT "posts".* FROM "posts" WHERE "posts"."id" = ? LIMIT ?',
      );
    });

    it('a comment separates tokens like whitespace', () => {
      checkShape('SELECT a -- the a column\nFROM t', 'SELECT a FROM t');
      checkShape('SELECT/*x*/a/*y*/FROM/**/t', 'SELECT a FROM t');
    });

    it('whitespace runs become one space; trimmed; trailing semicolons dropped', () => {
      checkShape('  \n SELECT\t1 ,2  FROM\r\n t ;; ', 'SELECT ?, ? FROM t');
      checkShape('', '');
      checkShape(' -- only a comment', '');
    });
  });

  describe('normalizeSql: unterminated and odd input', () => {
    it('an unterminated string runs to the end', () => {
      checkShape("SELECT * FROM t WHERE a = 'unterminated", 'SELECT * FROM t WHERE a = ?');
      checkShape('SELECT $$never closed', 'SELECT ?', 'postgres');
    });

    it('an unterminated identifier or comment runs to the end', () => {
      checkShape('SELECT "unterminated', 'SELECT "unterminated');
      checkShape('SELECT `unterminated', 'SELECT `unterminated', 'mysql');
      checkShape('SELECT 1 /* unterminated', 'SELECT ?');
    });

    it('unbalanced parentheses are printed as they are', () => {
      checkShape('SELECT ((1', 'SELECT ((?');
      checkShape('SELECT 1)) IN (2', 'SELECT ?)) IN (?');
    });

    it('stray operator characters at the end', () => {
      checkShape('SELECT a FROM t WHERE x = $', 'SELECT a FROM t WHERE x = $');
      checkShape('SELECT a FROM t WHERE x = :', 'SELECT a FROM t WHERE x = :');
      checkShape('SELECT a FROM t WHERE x = @', 'SELECT a FROM t WHERE x = @');
      checkShape('SELECT a FROM t WHERE x = %', 'SELECT a FROM t WHERE x = %');
      checkShape('SELECT a FROM t WHERE x = -', 'SELECT a FROM t WHERE x = -');
    });
  });

  describe('sqlFacts on corpus queries', () => {
    it('Django: qualified filter column', () => {
      checkFacts(
        'SELECT "meetings_topic"."id", "meetings_topic"."created", "meetings_topic"."modified", "meetings_topic"."title", "meetings_topic"."meeting_id", "meetings_topic"."experience_level", "meetings_topic"."license", "meetings_topic"."length", "meetings_topic"."embed_video", "meetings_topic"."description", "meetings_topic"."notes", "meetings_topic"."slides_link", "meetings_topic"."start_time", "meetings_topic"."approved" FROM "meetings_topic" WHERE "meetings_topic"."meeting_id" = 1',
        { kind: 'select', tables: ['meetings_topic'], filterColumns: ['meetings_topic.meeting_id'] },
        'sqlite',
      );
    });

    it('Django: IN and = inside grouping parentheses', () => {
      checkFacts(
        'SELECT "misago_users_user_roles"."role_id" FROM "misago_users_user_roles" WHERE ("misago_users_user_roles"."role_id" IN (1) AND "misago_users_user_roles"."user_id" = 2215)',
        { kind: 'select', tables: ['misago_users_user_roles'], filterColumns: ['misago_users_user_roles.role_id', 'misago_users_user_roles.user_id'] },
        'postgres',
      );
    });

    it('Django: a server-side cursor is a select', () => {
      checkFacts(
        'DECLARE "_django_curs_140273902098240_3750" NO SCROLL CURSOR WITHOUT HOLD FOR SELECT "misago_categories_rolecategoryacl"."id", "misago_categories_rolecategoryacl"."role_id", "misago_categories_rolecategoryacl"."category_id", "misago_categories_rolecategoryacl"."category_role_id", "misago_categories_categoryrole"."id", "misago_categories_categoryrole"."name", "misago_categories_categoryrole"."special_role", "misago_categories_categoryrole"."permissions" FROM "misago_categories_rolecategoryacl" INNER JOIN "misago_categories_categoryrole" ON ("misago_categories_rolecategoryacl"."category_role_id" = "misago_categories_categoryrole"."id") WHERE "misago_categories_rolecategoryacl"."role_id" IN (2)',
        { kind: 'select', tables: ['misago_categories_rolecategoryacl', 'misago_categories_categoryrole'], filterColumns: ['misago_categories_rolecategoryacl.role_id'] },
        'postgres',
      );
    });

    it('Django: INSERT target is a table', () => {
      checkFacts(
        `INSERT INTO "misago_users_online" ("user_id", "last_click") VALUES (2215, '2021-11-18T04:36:14.259910+00:00'::timestamptz)`,
        { kind: 'insert', tables: ['misago_users_online'] },
        'postgres',
      );
    });

    it('Rails: the IN subquery is nested; only the outer comparison counts', () => {
      checkFacts(
        'SELECT COUNT(*) FROM "microposts" WHERE (user_id IN (SELECT followed_id FROM relationships\n                     WHERE  follower_id = 762146111)\n                     OR user_id = 762146111)',
        { kind: 'select', tables: ['microposts'], filterColumns: ['user_id'] },
        'sqlite',
      );
    });

    it('Rails (postgres): JOIN … ON placeholders are not WHERE filters', () => {
      checkFacts(
        'SELECT SUM("spree_stock_items"."count_on_hand") FROM "spree_stock_items" INNER JOIN "spree_stock_locations" ON ("spree_stock_locations"."sample_indicator_id" = $1 OR "spree_stock_locations"."sample_indicator_id" IS NULL) AND "spree_stock_locations"."id" = "spree_stock_items"."stock_location_id" WHERE "spree_stock_items"."deleted_at" IS NULL AND "spree_stock_items"."variant_id" = $2 AND ("spree_stock_locations"."sample_indicator_id" = $3 OR "spree_stock_locations"."sample_indicator_id" IS NULL) AND "spree_stock_locations"."active" = $4',
        {
          kind: 'select',
          tables: ['spree_stock_items', 'spree_stock_locations'],
          filterColumns: ['spree_stock_items.variant_id', 'spree_stock_locations.sample_indicator_id', 'spree_stock_locations.active'],
        },
        'postgres',
      );
    });

    it('Rails: UPDATE with a parenthesised WHERE', () => {
      checkFacts(`UPDATE "api_keys" SET "last_used" = '2021-01-12 18:48:00.281150+0000' WHERE ("id" = 9)`, { kind: 'update', tables: ['api_keys'], filterColumns: ['id'] }, 'postgres');
    });

    it('Rails fixtures: only the first statement of a batch is read', () => {
      checkFacts('DELETE FROM "relationships";\nDELETE FROM "users";\nINSERT INTO "users" ("id") VALUES (1);', { kind: 'delete', tables: ['relationships'] }, 'sqlite');
    });

    it('Sequelize: an alias declared with AS resolves to its table', () => {
      checkFacts('SELECT count(*) AS `count` FROM `Feedbacks` AS `Feedback` WHERE `Feedback`.`rating` = 5;', { kind: 'select', tables: ['Feedbacks'], filterColumns: ['Feedbacks.rating'] }, 'sqlite');
    });

    it('juice-shop: unqualified columns; IS NULL is not a comparison', () => {
      checkFacts(
        `SELECT * FROM Users WHERE email = 'foo' AND password = '37b51d194a7513e45b56f6524f2d51f2' AND deletedAt IS NULL`,
        { kind: 'select', tables: ['Users'], filterColumns: ['email', 'password'] },
        'sqlite',
      );
    });

    it('Hibernate: bare aliases resolve to tables', () => {
      checkFacts(
        'select pet0_.id as id1_1_, pet0_.name as name2_1_, pet0_.birth_date as birth_da3_1_, pet0_.owner_id as owner_id4_1_, pet0_.type_id as type_id5_1_ from pets pet0_ where pet0_.id=?',
        { kind: 'select', tables: ['pets'], filterColumns: ['pets.id'] },
      );
      checkFacts(
        'select o1_0.id,o1_0.address,o1_0.city,o1_0.first_name,o1_0.last_name,p1_0.owner_id,p1_0.id,p1_0.birth_date,p1_0.name,p1_0.type_id,o1_0.telephone from owners o1_0 left join pets p1_0 on o1_0.id=p1_0.owner_id where o1_0.id=? order by p1_0.name',
        { kind: 'select', tables: ['owners', 'pets'], filterColumns: ['owners.id'] },
        'mysql',
      );
      checkFacts('select v1_0.id,v1_0.first_name,v1_0.last_name from vets v1_0 offset ? rows fetch first ? rows only', { kind: 'select', tables: ['vets'] });
    });

    it('catalog queries', () => {
      checkFacts('PRAGMA table_info("users")', { kind: 'other', isCatalog: true }, 'sqlite');
      checkFacts(
        "SELECT name FROM sqlite_master WHERE name <> 'sqlite_sequence' AND type IN ('table','view')",
        { kind: 'select', tables: ['sqlite_master'], filterColumns: ['name', 'type'], isCatalog: true },
        'sqlite',
      );
      checkFacts(
        `SELECT sql FROM\n  (SELECT * FROM sqlite_master UNION ALL\n   SELECT * FROM sqlite_temp_master)\nWHERE type = 'table' AND name = 'active_storage_blobs'\n`,
        { kind: 'select', filterColumns: ['type', 'name'], isCatalog: true },
        'sqlite',
      );
      checkFacts(
        `SELECT "pg_type"."oid", "typrelid", "typarray" FROM "pg_type" WHERE (("typtype" = 'c') AND ("typname" = 'q_class')) LIMIT 1`,
        { kind: 'select', tables: ['pg_type'], filterColumns: ['typtype', 'typname'], isCatalog: true },
        'postgres',
      );
      checkFacts("SELECT * FROM information_schema.tables WHERE table_name = 'x'", { kind: 'select', tables: ['tables'], filterColumns: ['table_name'], isCatalog: true });
      checkFacts('SELECT c.relname FROM pg_catalog.pg_class c', { kind: 'select', tables: ['pg_class'], isCatalog: true }, 'postgres');
      checkFacts('SELECT pg_advisory_lock(1)', { kind: 'select', isCatalog: true }, 'postgres');
      checkFacts('SHOW search_path', { kind: 'other', isCatalog: true }, 'postgres');
    });
  });

  describe('sqlFacts: statement kinds', () => {
    it('first keyword decides, ignoring case and comments', () => {
      checkFacts('/* a */ select 1', { kind: 'select' });
      checkFacts('Insert into t (a) values (1)', { kind: 'insert', tables: ['t'] });
      checkFacts('REPLACE INTO t (a) VALUES (1)', { kind: 'insert', tables: ['t'] });
      checkFacts('update t set a = 1', { kind: 'update', tables: ['t'] });
      checkFacts('delete from t', { kind: 'delete', tables: ['t'] });
      checkFacts('(SELECT a FROM t1 WHERE x = 1) UNION ALL (SELECT a FROM t2)', { kind: 'select', tables: ['t1', 't2'], filterColumns: ['x'] });
    });

    it('transaction control, settings and DDL are other', () => {
      checkFacts('begin transaction', { kind: 'other' });
      checkFacts('BEGIN', { kind: 'other' });
      checkFacts('COMMIT', { kind: 'other' });
      checkFacts('SAVEPOINT active_record_1', { kind: 'other' });
      checkFacts('SET client_min_messages TO warning', { kind: 'other' });
      checkFacts('CREATE TABLE IF NOT EXISTS `Wallets` (`id` INTEGER PRIMARY KEY AUTOINCREMENT)', { kind: 'other' });
      checkFacts('', { kind: 'other' });
    });

    it('WITH … SELECT is a select; a CTE body is nested', () => {
      checkFacts(
        'WITH recent AS (SELECT * FROM posts WHERE created_at > ?) SELECT * FROM recent JOIN users ON users.id = recent.user_id WHERE users.id = ?',
        { kind: 'select', tables: ['recent', 'users'], filterColumns: ['users.id'] },
      );
      checkFacts('WITH RECURSIVE x(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM x) DELETE FROM t WHERE t.n IN (SELECT n FROM x)', { kind: 'delete', tables: ['t'] });
    });
  });

  describe('sqlFacts: tables', () => {
    it('JOIN variants', () => {
      checkFacts(
        'SELECT * FROM a INNER JOIN b ON a.id = b.a_id LEFT OUTER JOIN c ON c.id = b.c_id CROSS JOIN d NATURAL JOIN e RIGHT JOIN f USING (id) WHERE a.x = 1',
        { kind: 'select', tables: ['a', 'b', 'c', 'd', 'e', 'f'], filterColumns: ['a.x'] },
      );
    });

    it('comma lists, aliases with and without AS, schema prefixes dropped', () => {
      checkFacts('SELECT * FROM a, b AS bb, public.c cc WHERE bb.y = ? AND cc.z IN (1,2)', { kind: 'select', tables: ['a', 'b', 'c'], filterColumns: ['b.y', 'c.z'] });
      checkFacts('SELECT * FROM "public"."users" u WHERE u."id" = $1', { kind: 'select', tables: ['users'], filterColumns: ['users.id'] }, 'postgres');
    });

    it('quoted identifiers keep their dots and lose their quotes', () => {
      checkFacts('SELECT * FROM "my.table" WHERE "my.table"."col" = 1', { kind: 'select', tables: ['my.table'], filterColumns: ['my.table.col'] });
      checkFacts('SELECT * FROM [order] WHERE [order].[id] = 1', { kind: 'select', tables: ['order'], filterColumns: ['order.id'] }, 'sqlite');
    });

    it('deduplicated in order of appearance', () => {
      checkFacts('SELECT * FROM a JOIN b ON a.id = b.id JOIN a a2 ON a2.id = b.id', { kind: 'select', tables: ['a', 'b'] });
    });

    it('subquery tables are not outer tables', () => {
      checkFacts('SELECT * FROM users WHERE id IN (SELECT user_id FROM posts WHERE posts.id = 5) AND name = ?', { kind: 'select', tables: ['users'], filterColumns: ['name'] });
      checkFacts('SELECT * FROM (SELECT * FROM inner_t WHERE q = 1) sub JOIN t ON t.id = sub.id WHERE t.k = 2', { kind: 'select', tables: ['t'], filterColumns: ['t.k'] });
      checkFacts('SELECT (SELECT count(*) FROM comments WHERE comments.post_id = posts.id) FROM posts WHERE posts.id = 3', { kind: 'select', tables: ['posts'], filterColumns: ['posts.id'] });
      checkFacts('SELECT * FROM t WHERE NOT EXISTS (SELECT 1 FROM u WHERE u.t_id = t.id) AND t.x = 1', { kind: 'select', tables: ['t'], filterColumns: ['t.x'] });
    });

    it('grouped joins and FROM inside function calls', () => {
      checkFacts('SELECT * FROM t1 JOIN (t2 JOIN t3 ON t2.id = t3.id) ON t1.id = t2.id', { kind: 'select', tables: ['t1', 't2', 't3'] });
      checkFacts("SELECT EXTRACT(YEAR FROM created_at), SUBSTRING(name FROM 2) FROM events WHERE 5 < events.n", { kind: 'select', tables: ['events'], filterColumns: ['events.n'] });
    });

    it('INSERT … SELECT, UPDATE … FROM, upserts', () => {
      checkFacts('INSERT INTO t (a) SELECT a FROM u WHERE u.b = 1', { kind: 'insert', tables: ['t', 'u'], filterColumns: ['u.b'] });
      checkFacts('UPDATE ONLY t SET a = 1 FROM u WHERE t.id = u.id AND u.k = 2', { kind: 'update', tables: ['t', 'u'], filterColumns: ['u.k'] }, 'postgres');
      checkFacts('INSERT INTO t (a) VALUES (1) ON CONFLICT (a) DO UPDATE SET a = excluded.a', { kind: 'insert', tables: ['t'] }, 'postgres');
      checkFacts('INSERT INTO t (a) VALUES (1) ON DUPLICATE KEY UPDATE a = VALUES(a)', { kind: 'insert', tables: ['t'] }, 'mysql');
    });
  });

  describe('sqlFacts: filter columns', () => {
    it('operators, value first, BETWEEN, NOT LIKE, ANY', () => {
      checkFacts(
        "SELECT * FROM t WHERE a BETWEEN 1 AND 2 AND b NOT LIKE 'x%' AND c IS NULL AND d <> 3 AND e >= 4 AND 5 < f AND g != ? AND h = ANY($1)",
        { kind: 'select', tables: ['t'], filterColumns: ['a', 'b', 'd', 'e', 'f', 'g', 'h'] },
      );
    });

    it('columns compared with columns or wrapped in functions are not filters', () => {
      checkFacts("SELECT * FROM t JOIN u ON u.id = t.u_id WHERE t.a = u.b AND lower(t.c) = 'x' AND t.d = t.e", { kind: 'select', tables: ['t', 'u'] });
    });

    it('booleans are values; NULL is not', () => {
      checkFacts('SELECT * FROM t WHERE t.a = true AND t.b = NULL', { kind: 'select', tables: ['t'], filterColumns: ['t.a'] });
    });
  });

  describe('hostile input', () => {
    it('a 5 MB query with an unterminated string completes', () => {
      const sql = "SELECT * FROM t WHERE a = '" + 'x'.repeat(5_000_000);
      checkShape(sql, 'SELECT * FROM t WHERE a = ?');
      checkFacts(sql, { kind: 'select', tables: ['t'], filterColumns: ['a'] });
    });

    it('a 10 MB unterminated comment completes', () => {
      const sql = 'SELECT 1 /*' + ' x'.repeat(5_000_000);
      checkShape(sql, 'SELECT ?');
      checkFacts(sql, { kind: 'select' });
    });

    it('100,000 nested parentheses do not overflow the stack', () => {
      const depth = 100_000;
      const sql = 'SELECT * FROM t WHERE ' + '('.repeat(depth) + 'a = 1' + ')'.repeat(depth);
      checkShape(sql, 'SELECT * FROM t WHERE ' + '('.repeat(depth) + 'a = ?' + ')'.repeat(depth));
      checkFacts(sql, { kind: 'select', tables: ['t'], filterColumns: ['a'] });
      checkShape('('.repeat(depth), '('.repeat(depth));
      checkFacts(')'.repeat(depth) + 'SELECT 1', { kind: 'other' });
    });

    it('a 100,000-element IN list collapses', () => {
      const ids = Array.from({ length: 100_000 }, (_, i) => String(i)).join(', ');
      checkShape(`SELECT * FROM t WHERE id IN (${ids})`, 'SELECT * FROM t WHERE id IN (?)');
    });

    it('every prefix of a tricky query is handled', () => {
      const sql = `/*c*/ WITH x AS (SELECT "a"."b" FROM [s].t AS "a" WHERE a.c IN (1, 'q''', $$z$$, E'\\'', :n, %(k)s) -- c\n) SELECT * FROM x, y WHERE y.d = -1.5e3 AND \`e\` = X'ff';`;
      for (const dialect of ['generic', 'sqlite', 'postgres', 'mysql'] as const) {
        for (let end = 0; end <= sql.length; end++) {
          checkCompletes(sql.slice(0, end), dialect);
        }
      }
    });
  });
});

// ---- helpers ----

/** The only caller of normalizeSql; returns the shape so tests can compare shapes. */
function checkShape(input: string, expected: string, dialect: SqlDialect = 'generic'): string {
  const actual = normalizeSql(input, dialect);
  assert.equal(actual, expected);
  return actual;
}

/** The only caller of sqlFacts; omitted fields are expected empty or false. */
function checkFacts(input: string, expected: Partial<SqlFacts> & Pick<SqlFacts, 'kind'>, dialect: SqlDialect = 'generic'): void {
  const actual = sqlFacts(input, dialect);
  assert.deepEqual(actual, { tables: [], filterColumns: [], isCatalog: false, ...expected });
}

function checkDialect(databaseType: string | undefined, expected: SqlDialect): void {
  assert.equal(dialectOf(databaseType), expected);
}

/** For input whose exact result is not the point: both functions return, with well-formed results. */
function checkCompletes(input: string, dialect: SqlDialect): void {
  assert.equal(typeof normalizeSql(input, dialect), 'string');
  const facts = sqlFacts(input, dialect);
  assert.ok(['select', 'insert', 'update', 'delete', 'other'].includes(facts.kind));
  assert.ok(Array.isArray(facts.tables) && Array.isArray(facts.filterColumns));
}
