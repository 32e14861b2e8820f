import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestDatabase } from './databases.js';
import { startSeededServer, type SeededServer } from './server.js';

/** A wiki's `$wgOAuth2PrivateKey`/`$wgOAuth2PublicKey` pair as PEM files (mode 600, as MediaWiki wants). */
export interface OAuth2KeyFiles {
  readonly privateFile: string;
  readonly publicFile: string;
  readonly privatePem: string;
  readonly publicPem: string;
  readonly env: { OAUTH2_PRIVATE_KEY_FILE: string; OAUTH2_PUBLIC_KEY_FILE: string };
  remove(): void;
}

export function oauth2KeyFiles(): OAuth2KeyFiles {
  const dir = mkdtempSync(join(tmpdir(), 'wikiauth-oauth2-key-'));
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const privateFile = join(dir, 'oauth2.key');
  const publicFile = join(dir, 'oauth2.pub');
  writeFileSync(privateFile, privatePem, { mode: 0o600 });
  writeFileSync(publicFile, publicPem, { mode: 0o600 });
  return {
    privateFile,
    publicFile,
    privatePem,
    publicPem,
    env: { OAUTH2_PRIVATE_KEY_FILE: privateFile, OAUTH2_PUBLIC_KEY_FILE: publicFile },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A server with seeded users whose access tokens are signed with a configured OAuth 2 key pair. */
export interface KeyedServer {
  readonly db: TestDatabase;
  readonly server: SeededServer;
  readonly keys: OAuth2KeyFiles;
  /** `${issuer}/w/rest.php/oauth2` */
  readonly base: string;
  close(): Promise<void>;
}

export async function startKeyedServer(makeDb: () => TestDatabase | Promise<TestDatabase>, env: Record<string, string> = {}): Promise<KeyedServer> {
  const db = await makeDb();
  const keys = oauth2KeyFiles();
  const server = await startSeededServer(db, { ...keys.env, ...env });
  return {
    db,
    server,
    keys,
    base: `${server.issuer}/w/rest.php/oauth2`,
    close: async () => {
      await server.close();
      await db.drop();
      keys.remove();
    },
  };
}
