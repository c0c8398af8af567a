// What a thread shows in the list: its latest message.

const knex = require('../db');

async function lastMessageOf(thread) {
  return knex('messages').where({ thread_id: thread.id }).orderBy('id', 'desc').first();
}

module.exports = { lastMessageOf };
