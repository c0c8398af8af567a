// The database connection and the entities it maps.

import "reflect-metadata";
import { DataSource } from "typeorm";
import { Author } from "./entity/Author";
import { Book } from "./entity/Book";
import { Review } from "./entity/Review";
import { Tag } from "./entity/Tag";

export const AppDataSource = new DataSource({
  type: "postgres",
  url: process.env.DATABASE_URL,
  entities: [Author, Book, Review, Tag],
  synchronize: false,
});
