/**
 * Connection facts for one running stack (Postgres + Redis + S3).
 * The same shape comes back whether the stack is native (Debian packages) or testcontainers.
 * Everything here is plain JSON so vitest can `provide` it to test files and the CLI can write it to an env file.
 */
export type StackMode = 'native' | 'containers';

export interface S3Credentials {
  accessKey: string;
  secretKey: string;
}

export interface StackInfo {
  mode: StackMode;
  postgres: {
    /** Superuser URL of the maintenance database (`postgres`); used to CREATE DATABASE per test file. */
    adminUrl: string;
    host: string;
    port: number;
    user: string;
    password: string;
  };
  redis: {
    host: string;
    port: number;
    url: string;
  };
  s3: {
    /** e.g. http://127.0.0.1:8080 */
    endpoint: string;
    host: string;
    port: number;
    useSSL: boolean;
    region: string;
    /** The service's own account: owns the private image-store bucket. */
    service: S3Credentials;
    /**
     * Separate tenant accounts (Swift: separate tempauth accounts, i.e. separate bucket namespaces).
     * At least 3. With MinIO (containers mode) every tenant gets the root credentials: see `tenantIsolation`.
     */
    tenants: S3Credentials[];
    /**
     * A second key pair of each tenant's account (same index as `tenants`): the same buckets under another key,
     * for credential rotation. Native Swift: user `tenantN:user2`; MinIO: the root credentials again.
     */
    tenantSecondUsers: S3Credentials[];
    /**
     * Native Swift only: valid keys of a user of tenant 1's account with no rights (not `.admin`), so every request,
     * ListBuckets included, is answered AccessDenied: valid credentials that are not allowed.
     */
    restrictedUser?: S3Credentials;
    /**
     * Native Swift only: the proxy's access log, one line per request with its Authorization header, so a test can
     * tell which access key signed (never a secret: the header carries a signature, not the key).
     */
    accessLogPath?: string;
    /**
     * How tenant accounts are separated.
     * - `account`: each tenant is its own account with its own bucket namespace and keys (native Swift).
     * - `bucket`: every tenant shares one account (MinIO root credentials in containers mode);
     *   isolation is then only by bucket name, so cross-tenant visibility tests must be skipped.
     */
    tenantIsolation: 'account' | 'bucket';
  };
  /** Versions of the services actually running, e.g. `{ postgres: 'postgres (PostgreSQL) 15.14', ... }`. */
  versions: Record<string, string>;
}
