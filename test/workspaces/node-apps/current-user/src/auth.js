// Who is asking: the user named by the X-User-Id header (a stand-in for a session), read from the
// database each time it is asked for.

const { User } = require('./models');

function authenticate(req, res, next) {
  req.userId = Number(req.get('x-user-id'));
  next();
}

async function currentUser(req) {
  return User.findByPk(req.userId); // expect: repeated-query 12 × Users
}

module.exports = { authenticate, currentUser };
