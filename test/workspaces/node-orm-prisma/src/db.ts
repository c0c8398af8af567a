// The one Prisma client of the app.

import { PrismaClient } from "@prisma/client";

export const prisma = new PrismaClient();
