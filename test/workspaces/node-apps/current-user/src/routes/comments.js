// GET /comments: the comments, each saying whether the current user may edit it.

const { Comment } = require('../models');
const { currentUser } = require('../auth');

async function listComments(req, res) {
  const comments = await Comment.findAll({ order: [['id', 'ASC']] });
  const out = [];
  for (const comment of comments) {
    const me = await currentUser(req); // expect: per-row Users
    out.push({ id: comment.id, body: comment.body, editable: me.admin || comment.authorId === me.id });
  }
  res.json(out);
}

module.exports = { listComments };
