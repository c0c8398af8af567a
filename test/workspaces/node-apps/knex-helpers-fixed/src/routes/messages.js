// GET /messages: the messages with their senders' names, all the senders read in one query
// (whereIn).

const knex = require('../db');

async function listMessages(req, res) {
  const messages = await knex('messages').orderBy('id');
  const users = await knex('users').whereIn('id', [...new Set(messages.map((m) => m.sender_id))]);
  const byId = new Map(users.map((u) => [u.id, u]));
  res.json(messages.map((m) => ({ id: m.id, text: m.text, sender: byId.get(m.sender_id).name })));
}

module.exports = { listMessages };
