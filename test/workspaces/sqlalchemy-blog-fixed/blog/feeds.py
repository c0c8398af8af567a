"""The Atom feed of every post, newest first."""

from sqlalchemy.orm import Session

from .models import Post


def atom_entries(session: Session) -> list[dict]:
    return [
        {"id": f"urn:blog:post:{post.id}", "title": post.title, "author": post.author.name}
        for post in session.query(Post).order_by(Post.id.desc()).all()
    ]
