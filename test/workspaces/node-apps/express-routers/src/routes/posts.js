// /api/posts: the posts with how many comments each has. An inline async arrow handler; the
// comments are counted one post at a time, in parallel.

const express = require('express');
const { Post, Comment } = require('../models');

const router = express.Router();

router.get('/', async (req, res) => {
  const posts = await Post.findAll({ order: [['id', 'ASC']] }); // expect: n-plus-one 24 × Comments
  const out = await Promise.all(
    posts.map(async (post) => ({ id: post.id, title: post.title, comments: await Comment.count({ where: { postId: post.id } }) })), // expect: per-row Comments
  );
  res.json(out);
});

module.exports = router;
