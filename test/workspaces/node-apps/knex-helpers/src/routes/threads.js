// GET /threads: the threads with their latest message, read by a helper in a plain for loop.

const knex = require('../db');
const { lastMessageOf } = require('../helpers/threads');

async function listThreads(req, res) {
  const threads = await knex('threads').orderBy('id'); // expect: n-plus-one 12 × messages
  const out = [];
  for (let i = 0; i < threads.length; i++) {
    const last = await lastMessageOf(threads[i]); // expect: per-row messages
    out.push({ id: threads[i].id, subject: threads[i].subject, last: last ? last.text : null });
  }
  res.json(out);
}

module.exports = { listThreads };
