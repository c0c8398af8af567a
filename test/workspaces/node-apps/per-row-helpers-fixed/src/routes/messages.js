// GET /messages: the messages with their senders' names, the senders loaded with the messages.

const { Message } = require('../models');

async function listMessages(req, res) {
  const messages = await Message.findAll({ include: [{ association: 'sender' }], order: [['id', 'ASC']] });
  res.json(messages.map((m) => ({ id: m.id, text: m.text, sender: m.sender.name })));
}

module.exports = { listMessages };
