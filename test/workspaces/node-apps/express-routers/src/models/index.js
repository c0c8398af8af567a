// The models of the blog: users, their posts, and the posts' comments (Sequelize over SQLite, in memory).

const { DataTypes, Sequelize } = require('sequelize');

const sequelize = new Sequelize({ dialect: 'sqlite', storage: ':memory:', logging: false });

const User = sequelize.define('User', {
  name: { type: DataTypes.STRING, allowNull: false },
});

const Post = sequelize.define('Post', {
  title: { type: DataTypes.STRING, allowNull: false },
});

const Comment = sequelize.define('Comment', {
  body: { type: DataTypes.STRING, allowNull: false },
});

User.hasMany(Post, { as: 'posts', foreignKey: 'userId' });
Post.belongsTo(User, { as: 'user', foreignKey: 'userId' });
Post.hasMany(Comment, { as: 'comments', foreignKey: 'postId' });
Comment.belongsTo(Post, { as: 'post', foreignKey: 'postId' });

module.exports = { sequelize, User, Post, Comment };
