// The sample rows, with explicit ids (appmap-node 2.27's sqlite3 hook loses `lastID`): 12 users,
// 12 threads, and 12 messages, message i sent by user i in thread i, and 12 more in the threads.

const { User, Thread, Message } = require('./models');

const N = 12;

async function seed() {
  const users = [];
  const threads = [];
  const messages = [];
  for (let i = 1; i <= N; i++) {
    users.push({ id: i, name: `User ${i}` });
    threads.push({ id: i, subject: `Thread ${i}` });
  }
  for (let i = 1; i <= 2 * N; i++) messages.push({ id: i, senderId: ((i - 1) % N) + 1, threadId: ((i - 1) % N) + 1, text: `Message ${i}` });
  await User.bulkCreate(users);
  await Thread.bulkCreate(threads);
  await Message.bulkCreate(messages);
}

module.exports = { seed, N_USERS: N, N_THREADS: N, N_MESSAGES: 2 * N };
