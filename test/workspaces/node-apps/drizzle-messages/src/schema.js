// The Drizzle schema: users and the messages they post, with their relations (for relational
// queries).

const { relations } = require('drizzle-orm');
const { integer, sqliteTable, text } = require('drizzle-orm/sqlite-core');

const users = sqliteTable('users', {
  id: integer('id').primaryKey(),
  name: text('name').notNull(),
});

const messages = sqliteTable('messages', {
  id: integer('id').primaryKey(),
  userId: integer('user_id').notNull().references(() => users.id),
  text: text('text').notNull(),
});

const usersRelations = relations(users, ({ many }) => ({ messages: many(messages) }));
const messagesRelations = relations(messages, ({ one }) => ({ user: one(users, { fields: [messages.userId], references: [users.id] }) }));

module.exports = { users, messages, usersRelations, messagesRelations };
