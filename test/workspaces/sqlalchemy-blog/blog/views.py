"""The front page: the latest published posts with their author, tags and comment count."""

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from .models import Post


def front_page(session: Session) -> list[dict]:
    posts = session.scalars(
        select(Post)
        .where(Post.published_at.is_not(None))
        .order_by(Post.published_at.desc())
        .limit(20)
    ).all()
    return [
        {
            "title": post.title,
            "author": post.author.name,
            "tags": [tag.name for tag in post.tags],
            "comments": len(post.comments),
        }
        for post in posts
    ]


def post_page(session: Session, post_id: int) -> dict:
    post = session.get(Post, post_id, options=[joinedload(Post.author), selectinload(Post.comments)])
    return {"title": post.title, "author": post.author.name, "comments": [c.body for c in post.comments]}
