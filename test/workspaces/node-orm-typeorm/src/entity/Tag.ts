// Tag: a subject books are filed under. No table name given: TypeORM names the table "tag".

import { Column, Entity, ManyToMany, PrimaryGeneratedColumn } from "typeorm";
import { Book } from "./Book";

@Entity()
export class Tag {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ unique: true })
  name!: string;

  @ManyToMany(() => Book, (book) => book.tags)
  books!: Promise<Book[]>;
}
