// The sample rows, with explicit ids (appmap-node 2.27's sqlite3 hook loses `lastID`): 3 users
// and 12 comments, comment i written by user (i mod 3) + 1 (RUNLENS_BENCH_COMMENTS: more, for `npm run bench`).

const { User, Comment } = require('./models');

const N_COMMENTS = Number(process.env.RUNLENS_BENCH_COMMENTS) || 12;

async function seed() {
  await User.bulkCreate([
    { id: 1, name: 'Ada', admin: false },
    { id: 2, name: 'Grace', admin: false },
    { id: 3, name: 'Root', admin: true },
  ]);
  const comments = [];
  for (let i = 1; i <= N_COMMENTS; i++) comments.push({ id: i, authorId: (i % 3) + 1, body: `Comment ${i}` });
  await Comment.bulkCreate(comments);
}

module.exports = { seed, N_COMMENTS };
