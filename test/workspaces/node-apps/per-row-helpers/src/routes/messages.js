// GET /messages: the messages with their senders' names, the senders read by a helper for each
// message, in parallel.

const { Message } = require('../models');
const { senderOf } = require('../helpers/people');

async function listMessages(req, res) {
  const messages = await Message.findAll({ order: [['id', 'ASC']] }); // expect: n-plus-one 24 × Users
  const senders = await Promise.all(messages.map((m) => senderOf(m))); // expect: per-row Users
  res.json(messages.map((m, i) => ({ id: m.id, text: m.text, sender: senders[i].name })));
}

module.exports = { listMessages };
