// GET /messages: the messages with their senders' names, the senders read by a helper for each
// message, in parallel.

const knex = require('../db');
const { senderOf } = require('../helpers/people');

async function listMessages(req, res) {
  const messages = await knex('messages').orderBy('id'); // expect: n-plus-one 24 × users
  const senders = await Promise.all(messages.map((m) => senderOf(m))); // expect: per-row users
  res.json(messages.map((m, i) => ({ id: m.id, text: m.text, sender: senders[i].name })));
}

module.exports = { listMessages };
