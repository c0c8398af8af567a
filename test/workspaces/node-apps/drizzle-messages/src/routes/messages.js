// GET /messages: the messages with their authors' names, each author selected on its own.

const { eq } = require('drizzle-orm');
const { db } = require('../db');
const { messages, users } = require('../schema');

async function listMessages(req, res) {
  const rows = await db.select().from(messages).orderBy(messages.id); // expect: n-plus-one 12 × users
  const out = [];
  for (const m of rows) {
    const [user] = await db.select().from(users).where(eq(users.id, m.userId)); // expect: per-row users
    out.push({ id: m.id, text: m.text, author: user.name });
  }
  res.json(out);
}

module.exports = { listMessages };
