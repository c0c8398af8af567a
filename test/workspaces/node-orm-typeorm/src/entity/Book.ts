// Book: a title in the catalogue, written by one author, with reviews and tags.

import { Column, Entity, JoinColumn, JoinTable, ManyToMany, ManyToOne, OneToMany, PrimaryGeneratedColumn } from "typeorm";
import { Author } from "./Author";
import { Review } from "./Review";
import { Tag } from "./Tag";

@Entity("books")
export class Book {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column()
  title!: string;

  @Column({ default: false })
  published!: boolean;

  @ManyToOne(() => Author, (author) => author.books)
  @JoinColumn({ name: "author_id" })
  author!: Promise<Author>;

  @OneToMany(() => Review, (review) => review.book)
  reviews!: Promise<Review[]>;

  @ManyToMany(() => Tag, (tag) => tag.books)
  @JoinTable({ name: "book_tags", joinColumn: { name: "book_id" }, inverseJoinColumn: { name: "tag_id" } })
  tags!: Promise<Tag[]>;
}
