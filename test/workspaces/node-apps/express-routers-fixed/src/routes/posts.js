// /api/posts: the posts with how many comments each has. An inline async arrow handler; the
// comments are counted for all posts at once, grouped by post.

const express = require('express');
const { Post, Comment } = require('../models');

const router = express.Router();

router.get('/', async (req, res) => {
  const posts = await Post.findAll({ order: [['id', 'ASC']] });
  const counts = await Comment.count({ group: ['postId'] });
  const byPost = new Map(counts.map((c) => [c.postId, c.count]));
  const out = posts.map((post) => ({ id: post.id, title: post.title, comments: byPost.get(post.id) ?? 0 }));
  res.json(out);
});

module.exports = router;
