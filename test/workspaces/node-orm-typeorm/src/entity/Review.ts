// Review: a reader's rating of a book.

import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from "typeorm";
import { Book } from "./Book";

@Entity("reviews")
export class Review {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column("text")
  body!: string;

  @Column("int")
  rating!: number;

  @ManyToOne(() => Book, (book) => book.reviews, { onDelete: "CASCADE" })
  @JoinColumn({ name: "book_id" })
  book!: Promise<Book>;
}
