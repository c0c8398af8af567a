// /api/users: the users with the titles of their posts. An anonymous handler, as Express's guide
// writes them; the posts are read one user at a time.

const express = require('express');
const { User } = require('../models');

const router = express.Router();

router.get('/', async function (req, res) {
  const users = await User.findAll({ order: [['id', 'ASC']] }); // expect: n-plus-one 12 × Posts
  const out = [];
  for (const user of users) {
    const posts = await user.getPosts({ order: [['id', 'ASC']] }); // expect: per-row Posts
    out.push({ id: user.id, name: user.name, posts: posts.map((p) => p.title) });
  }
  res.json(out);
});

module.exports = router;
