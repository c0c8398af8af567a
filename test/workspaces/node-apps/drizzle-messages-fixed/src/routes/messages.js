// GET /messages: the messages with their authors' names, the authors loaded with the messages
// (a relational query, `with:`).

const { db } = require('../db');

async function listMessages(req, res) {
  const rows = await db.query.messages.findMany({ with: { user: true }, orderBy: (messages, { asc }) => [asc(messages.id)] });
  const out = [];
  for (const m of rows) {
    out.push({ id: m.id, text: m.text, author: m.user.name });
  }
  res.json(out);
}

module.exports = { listMessages };
