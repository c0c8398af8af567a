// The catalogue: books with their author and reviews, authors with their books.

import type { Request, Response } from "express";
import { AppDataSource } from "../data-source";
import { Author } from "../entity/Author";
import { Book } from "../entity/Book";

const books = AppDataSource.getRepository(Book);

/** Paging from the query string: `?page=2` → skip 20, take 20. */
function page(req: Request) {
  const n = Math.max(1, Number(req.query.page ?? 1));
  return { skip: (n - 1) * 20, take: 20 };
}

/** A book as the API returns it; awaiting a relation the find loaded runs no query. */
async function present(book: Book) {
  const author = await book.author;
  const reviews = await book.reviews;
  return {
    id: book.id,
    title: book.title,
    author: author.name,
    rating: reviews.length ? reviews.reduce((sum, r) => sum + r.rating, 0) / reviews.length : null,
  };
}

export async function listBooks(req: Request, res: Response) {
  const rows = await books.find({
    where: { published: true },
    order: { title: "ASC" },
    relations: ["author", "reviews"],
  });
  const out = [];
  for (const book of rows) out.push(await present(book));
  res.json(out);
}

export async function listAuthors(req: Request, res: Response) {
  const authors = await AppDataSource.getRepository(Author).find({ ...page(req), order: { name: "ASC" } });
  const out = [];
  for (const author of authors) {
    const written = await author.books;
    out.push({ name: author.name, books: written.map((b) => b.title) });
  }
  res.json(out);
}
