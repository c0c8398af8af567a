// GET /threads: the threads with their latest message, all threads' messages read in one query
// (whereIn).

const knex = require('../db');

async function listThreads(req, res) {
  const threads = await knex('threads').orderBy('id');
  const messages = await knex('messages').whereIn('thread_id', threads.map((t) => t.id)).orderBy('id');
  const last = new Map(messages.map((m) => [m.thread_id, m.text]));
  const out = [];
  for (let i = 0; i < threads.length; i++) {
    out.push({ id: threads[i].id, subject: threads[i].subject, last: last.get(threads[i].id) ?? null });
  }
  res.json(out);
}

module.exports = { listThreads };
