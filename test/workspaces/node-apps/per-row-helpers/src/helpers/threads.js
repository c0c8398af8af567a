// What a thread shows in the list: its latest message.

const { Message } = require('../models');

async function lastMessageOf(thread) {
  return Message.findOne({ where: { threadId: thread.id }, order: [['id', 'DESC']] });
}

module.exports = { lastMessageOf };
