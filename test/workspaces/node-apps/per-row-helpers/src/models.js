// The models of the chat: users, threads and the messages users post in threads (Sequelize over
// SQLite, in memory).

const { DataTypes, Sequelize } = require('sequelize');

const sequelize = new Sequelize({ dialect: 'sqlite', storage: ':memory:', logging: false });

const User = sequelize.define('User', {
  name: { type: DataTypes.STRING, allowNull: false },
});

const Thread = sequelize.define('Thread', {
  subject: { type: DataTypes.STRING, allowNull: false },
});

const Message = sequelize.define('Message', {
  text: { type: DataTypes.STRING, allowNull: false },
});

Message.belongsTo(User, { as: 'sender', foreignKey: 'senderId' });
Message.belongsTo(Thread, { as: 'thread', foreignKey: 'threadId' });
Thread.hasMany(Message, { as: 'messages', foreignKey: 'threadId' });

module.exports = { sequelize, User, Thread, Message };
