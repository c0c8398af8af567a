// /api/users: the users with the titles of their posts. An anonymous handler, as Express's guide
// writes them; the posts are loaded with the users, in one query.

const express = require('express');
const { User } = require('../models');

const router = express.Router();

router.get('/', async function (req, res) {
  const users = await User.findAll({ include: [{ association: 'posts' }], order: [['id', 'ASC'], ['posts', 'id', 'ASC']] });
  const out = [];
  for (const user of users) {
    const posts = user.posts;
    out.push({ id: user.id, name: user.name, posts: posts.map((p) => p.title) });
  }
  res.json(out);
});

module.exports = router;
