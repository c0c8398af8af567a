// Who is who in the chat: the sender of a message, read from the database.

const { User } = require('../models');

async function senderOf(message) {
  return User.findByPk(message.senderId);
}

module.exports = { senderOf };
