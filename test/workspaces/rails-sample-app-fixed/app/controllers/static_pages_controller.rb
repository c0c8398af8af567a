class StaticPagesController < ApplicationController

  # The home page: the micropost form and the feed when logged in.
  def home
    if logged_in?
      @micropost  = current_user.microposts.build
      @feed_items = current_user.feed.paginate(page: params[:page])
    end
  end

  def help
  end

  def about
  end

  def contact
  end
end
