// GET /messages: the messages with their senders' names, the senders read by a helper for each
// message, in parallel.

const knex = require('../db');
const { senderOf } = require('../helpers/people');

async function listMessages(req, res) {
  const messages = await knex('messages').orderBy('id');
  const senders = await Promise.all(messages.map((m) => senderOf(m)));
  res.json(messages.map((m, i) => ({ id: m.id, text: m.text, sender: senders[i].name })));
}

module.exports = { listMessages };
