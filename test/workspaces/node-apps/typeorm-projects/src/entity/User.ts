// A user, who may be assigned tasks.

import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('users')
export class User {
  @PrimaryColumn('integer')
  id: number;

  @Column('text')
  name: string;
}
