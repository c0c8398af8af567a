// Who is asking: the user named by the X-User-Id header (a stand-in for a session), read from the
// database once per request and kept on it.

const { User } = require('./models');

function authenticate(req, res, next) {
  req.userId = Number(req.get('x-user-id'));
  next();
}

async function currentUser(req) {
  req.currentUser ??= User.findByPk(req.userId);
  return req.currentUser;
}

module.exports = { authenticate, currentUser };
