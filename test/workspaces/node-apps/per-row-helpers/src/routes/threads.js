// GET /threads: the threads with their latest message, read by a helper in a plain for loop.

const { Thread } = require('../models');
const { lastMessageOf } = require('../helpers/threads');

async function listThreads(req, res) {
  const threads = await Thread.findAll({ order: [['id', 'ASC']] }); // expect: n-plus-one 12 × Messages
  const out = [];
  for (let i = 0; i < threads.length; i++) {
    const last = await lastMessageOf(threads[i]); // expect: per-row Messages
    out.push({ id: threads[i].id, subject: threads[i].subject, last: last ? last.text : null });
  }
  res.json(out);
}

module.exports = { listThreads };
