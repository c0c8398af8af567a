// The Express app: routes and the server, once the database is connected.

import express from "express";
import { AppDataSource } from "./data-source";
import { listAuthors, listBooks } from "./routes/books";

const app = express();
app.get("/books", listBooks);
app.get("/authors", listAuthors);

AppDataSource.initialize().then(() => app.listen(Number(process.env.PORT ?? 3000)));
