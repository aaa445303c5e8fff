import { Redis } from 'ioredis';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { ChatView } from '../../src/modules/chat/chat.types.js';
import { createDatabase, dropDatabase, uniqueSuffix } from './create-test-app.js';
import { RoundRobinBalancer } from './load-balancer.js';
import { buildServer, freePort, NodeProcess, removeBuild } from './node-process.js';
import { proxyTo } from './services.js';
import type { TcpProxy } from './tcp-proxy.js';
import { TEST_JWT_SECRET, tokenFor, uniqueId } from './tokens.js';

export interface ClusterUser {
  id: string;
  token: string;
}

/**
 * Two server processes built from this checkout, on one fresh PostgreSQL database and one Redis
 * key prefix, each reaching them through a TCP proxy of its own (cut one to "restart" a server),
 * with a round-robin balancer in front. The database is also reachable directly, for checks.
 */
export class ProcessCluster {
  readonly nodes: NodeProcess[] = [];
  readonly pgProxies: TcpProxy[] = [];
  readonly redisProxies: TcpProxy[] = [];
  balancer!: RoundRobinBalancer;
  db!: pg.Client;
  private mainJs?: string;
  private databaseUrl?: string;
  private readonly workDir = mkdtempSync(join(tmpdir(), 'msg-cluster-'));
  readonly redisKeyPrefix = `t:cluster:${uniqueSuffix()}:`;

  constructor(private readonly env: Record<string, string>) {}

  async start(): Promise<void> {
    [this.mainJs, this.databaseUrl] = await Promise.all([
      buildServer('cluster'),
      createDatabase(process.env.DATABASE_URL!),
    ]);
    const ports = [await freePort(), await freePort()];
    for (const [i, port] of ports.entries()) {
      const [viaPg, viaRedis] = await Promise.all([
        proxyTo(this.databaseUrl),
        proxyTo(process.env.REDIS_URL!),
      ]);
      this.pgProxies.push(viaPg.proxy);
      this.redisProxies.push(viaRedis.proxy);
      const name = `node${i + 1}`;
      const dataDir = join(this.workDir, name);
      this.nodes.push(
        new NodeProcess(
          name,
          this.mainJs,
          port,
          {
            NODE_ENV: 'test',
            HOST: '127.0.0.1',
            JWT_SECRET: TEST_JWT_SECRET,
            AUTH_DEV_TOKENS: 'true',
            LOG_LEVEL: 'warn',
            DATA_DIR: dataDir,
            DATABASE_URL: viaPg.url,
            REDIS_URL: viaRedis.url,
            REDIS_KEY_PREFIX: this.redisKeyPrefix,
            ...this.env,
          },
          join(this.workDir, `${name}.log`),
        ),
      );
    }
    // Together, as a deployment would: the nodes take turns to run the migrations themselves.
    await Promise.all(this.nodes.map((node) => node.start()));
    this.balancer = new RoundRobinBalancer(ports);
    await this.balancer.start();
    this.db = new pg.Client({ connectionString: this.databaseUrl });
    await this.db.connect();
  }

  /** The cluster's database, as pg_stat_activity names it. */
  get databaseName(): string {
    return new URL(this.databaseUrl!).pathname.slice(1);
  }

  /** Starts any node that is not running (after a test killed or stopped it). */
  async allUp(): Promise<void> {
    for (const node of this.nodes) if (!node.running) await node.start();
  }

  /** Every node's log, for a failing test's output. */
  logs(): string {
    return this.nodes.map((n) => `----- ${n.name} (${n.logFile})\n${n.logs()}`).join('\n');
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.killNow()));
    await this.balancer?.stop();
    for (const proxy of [...this.pgProxies, ...this.redisProxies]) await proxy.stop();
    await this.db?.end().catch(() => undefined);
    if (this.databaseUrl) await dropDatabase(process.env.DATABASE_URL!, this.databaseUrl);
    await this.deleteRedisKeys();
    if (this.mainJs) removeBuild(this.mainJs);
    rmSync(this.workDir, { recursive: true, force: true });
  }

  /** A user the cluster knows (seen through `node`'s REST API). */
  async user(node = this.nodes[0], role = 'CLIENT'): Promise<ClusterUser> {
    const id = uniqueId(role.toLowerCase());
    const token = tokenFor({ id, role });
    await this.api(node, { id, token }, 'GET', '/api/users/me');
    return { id, token };
  }

  /** A GROUP chat of `owner` with `others`. */
  group(owner: ClusterUser, others: ClusterUser[], node = this.nodes[0]): Promise<ChatView> {
    return this.api<ChatView>(node, owner, 'POST', '/api/chats', {
      type: 'GROUP',
      title: 'Cluster',
      memberIds: others.map((o) => o.id),
    });
  }

  async api<T>(
    node: NodeProcess,
    user: ClusterUser,
    method: string,
    path: string,
    body?: object,
  ): Promise<T> {
    const res = await fetch(`${node.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${user.token}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  }

  /** The chat's messages in the database, by seq, and its last_seq. */
  async stored(
    chatId: string,
  ): Promise<{ rows: { seq: number; clientMessageId: string | null }[]; lastSeq: number }> {
    const { rows } = await this.db.query<{ seq: number; client_message_id: string | null }>(
      'SELECT seq, client_message_id FROM messages WHERE chat_id = $1 ORDER BY seq',
      [chatId],
    );
    const chat = await this.db.query<{ last_seq: number }>(
      'SELECT last_seq FROM chats WHERE id = $1',
      [chatId],
    );
    return {
      rows: rows.map((r) => ({ seq: r.seq, clientMessageId: r.client_message_id })),
      lastSeq: chat.rows[0].last_seq,
    };
  }

  /** Deletes this cluster's Redis keys (its prefix only, never others'), directly; how many. */
  async deleteRedisKeys(): Promise<number> {
    const redis = new Redis(process.env.REDIS_URL!, { lazyConnect: true });
    let deleted = 0;
    try {
      await redis.connect();
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${this.redisKeyPrefix}*`);
        cursor = next;
        if (keys.length) deleted += await redis.del(...keys);
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
    return deleted;
  }
}
