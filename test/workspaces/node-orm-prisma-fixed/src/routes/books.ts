// The catalogue: books with their author and reviews, and how many of each are in stock.

import type { Request, Response } from "express";
import type { Author, Book, Review } from "@prisma/client";
import { prisma } from "../db";

type BookRow = Book & { author?: Author; reviews?: Review[] };

/** A book as the API returns it; uses the author and reviews when the query included them. */
async function present(book: BookRow) {
  const author = book.author ?? (await prisma.author.findUniqueOrThrow({ where: { id: book.authorId } }));
  const reviews = book.reviews ?? (await prisma.review.findMany({ where: { bookId: book.id } }));
  return {
    id: book.id,
    title: book.title,
    author: author.name,
    rating: reviews.length ? reviews.reduce((sum, r) => sum + r.rating, 0) / reviews.length : null,
  };
}

export async function listBooks(req: Request, res: Response) {
  const books = await prisma.book.findMany({
    where: { published: true },
    orderBy: { title: "asc" },
    include: { author: true, reviews: true },
  });
  const out = [];
  for (const book of books) out.push(await present(book));
  res.json(out);
}

export async function listStock(req: Request, res: Response) {
  const books = await prisma.book.findMany({ orderBy: { title: "asc" } });
  const out = [];
  for (const book of books) {
    const author = await prisma.author.findUnique({ where: { id: book.authorId } });
    const stock = await prisma.stock.findUnique({ where: { isbn: book.isbn } });
    out.push({ title: book.title, author: author?.name, quantity: stock?.quantity ?? 0 });
  }
  res.json(out);
}
