# A user's status feed as a query object: their own microposts and those of
# the users they follow, newest first (Micropost's default scope).
class FeedQuery
  def initialize(user)
    @user = user
  end

  def relation
    following_ids = "SELECT followed_id FROM relationships
                     WHERE  follower_id = :user_id"
    Micropost.where("user_id IN (#{following_ids})
                     OR user_id = :user_id", user_id: @user.id)
  end
end
