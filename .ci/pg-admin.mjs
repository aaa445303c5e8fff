// node .ci/pg-admin.mjs <adminUrl> create|drop <database>
import pg from 'pg';

const [adminUrl, action, name] = process.argv.slice(2);
if (!/^[a-z0-9_]+$/.test(name ?? '')) throw new Error(`bad database name: ${name}`);
const client = new pg.Client({ connectionString: adminUrl });
await client.connect();
try {
  if (action === 'create') await client.query(`CREATE DATABASE "${name}"`);
  else if (action === 'drop') await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  else throw new Error(`unknown action ${action}`);
  console.log(`${action}d database ${name}`);
} finally {
  await client.end();
}
