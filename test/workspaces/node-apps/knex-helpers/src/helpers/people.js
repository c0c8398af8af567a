// Who is who in the chat: the sender of a message, read from the database.

const knex = require('../db');

async function senderOf(message) {
  return knex('users').where({ id: message.sender_id }).first();
}

module.exports = { senderOf };
