// The Express app: routes and the server.

import express from "express";
import { listBooks, listStock } from "./routes/books";

const app = express();
app.get("/books", listBooks);
app.get("/stock", listStock);

app.listen(Number(process.env.PORT ?? 3000));
