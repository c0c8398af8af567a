// The sample rows, with explicit ids (appmap-node 2.27's sqlite3 hook loses `lastID`, so ids that
// SQLite chose could not be read back): 12 users with 2 posts each, and 1 to 3 comments a post.

const { User, Post, Comment } = require('./models');

const N_USERS = 12;
const POSTS_PER_USER = 2;

async function seed() {
  const users = [];
  const posts = [];
  const comments = [];
  for (let u = 1; u <= N_USERS; u++) {
    users.push({ id: u, name: `User ${u}` });
    for (let k = 0; k < POSTS_PER_USER; k++) {
      const id = (u - 1) * POSTS_PER_USER + k + 1;
      posts.push({ id, userId: u, title: `Post ${id}` });
      for (let c = 0; c < (id % 3) + 1; c++) comments.push({ id: comments.length + 1, postId: id, body: `Comment ${comments.length + 1}` });
    }
  }
  await User.bulkCreate(users);
  await Post.bulkCreate(posts);
  await Comment.bulkCreate(comments);
}

module.exports = { seed, N_USERS, N_POSTS: N_USERS * POSTS_PER_USER };
