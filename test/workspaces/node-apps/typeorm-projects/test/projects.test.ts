// The projects over HTTP: a fresh in-memory database with the sample rows (made in `before`,
// outside any test, so not recorded), the app on a free port of 127.0.0.1, and each route called
// as a client would. appmap-node records each test, the SQL of its request included.

import * as assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../src/app';
import { dataSource } from '../src/data-source';
import { N_PROJECTS, seed } from '../src/seed';

describe('typeorm projects', function () {
  let server: Server;
  let base: string;

  before(async function () {
    await dataSource.initialize();
    await seed();
    server = createApp().listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async function () {
    server.close();
    await once(server, 'close');
    await dataSource.destroy();
  });

  it('lists the projects with their tasks', async function () {
    const res = await fetch(`${base}/projects`);
    assert.equal(res.status, 200);
    const projects = await res.json();
    assert.equal(projects.length, N_PROJECTS);
    assert.deepEqual(projects[0], { id: 1, name: 'Project 1', tasks: ['Task 1', 'Task 2', 'Task 3'] });
  });

  it('lists the tasks with their assignees', async function () {
    const res = await fetch(`${base}/tasks`);
    assert.equal(res.status, 200);
    const tasks = await res.json();
    assert.equal(tasks.length, 3 * N_PROJECTS);
    assert.deepEqual(tasks[12], { id: 13, title: 'Task 13', assignee: 'User 1' });
  });
});
