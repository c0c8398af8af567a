// GET /threads: the threads with their latest message, all threads' messages read in one query.

const { Op } = require('sequelize');
const { Message, Thread } = require('../models');

async function listThreads(req, res) {
  const threads = await Thread.findAll({ order: [['id', 'ASC']] });
  const messages = await Message.findAll({ where: { threadId: { [Op.in]: threads.map((t) => t.id) } }, order: [['id', 'ASC']] });
  const last = new Map(messages.map((m) => [m.threadId, m.text]));
  const out = [];
  for (let i = 0; i < threads.length; i++) {
    out.push({ id: threads[i].id, subject: threads[i].subject, last: last.get(threads[i].id) ?? null });
  }
  res.json(out);
}

module.exports = { listThreads };
