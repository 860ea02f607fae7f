import type { ObjectStore } from '@cloud-images/shared';
import type { Client as MinioClient } from 'minio';
import type { TaskApi } from './api-client.js';

/** One bench tenant: its API token and its own object-store account (where its source containers live). */
export interface BenchTenant {
  label: string;
  api: TaskApi;
  s3: MinioClient;
  /** The same account through the services' ObjectStore (lists multipart uploads on Swift correctly). */
  store: ObjectStore;
  /** Container `c` is bucket `${bucketPrefix}${c}`. */
  bucketPrefix: string;
  region: string;
}

/** The image store: the service's private bucket, for the audit. */
export interface ImageStoreAccess {
  endpoint: string;
  region: string;
  accessKey: string;
  secretKey: string;
  bucket: string;
}

/** What the chaos runner may do; only an owned system has it. */
export interface ChaosControls {
  /** SIGKILLs one running worker (picked at random) and starts a replacement; resolves once it is ready. */
  killRandomWorker(random: () => number): Promise<void>;
  /** Restarts Redis: `keepData` = a crash with appendonly yes (the data comes back), else it comes back empty. */
  restartRedis(keepData: boolean): Promise<void>;
  restartPostgres(): Promise<void>;
  restartS3(): Promise<void>;
}

/** A system under load: owned (started here) or external (a running deployment). */
export interface LoadSystem {
  mode: 'owned' | 'external';
  apiUrl: string;
  tenants: BenchTenant[];
  databaseUrl: string;
  redisUrl: string;
  imageStore: ImageStoreAccess;
  /** Owned mode: replaces the workers by exactly `count` fresh processes. External: not possible. */
  setWorkers?(count: number): Promise<void>;
  /** Pids of the running worker processes (owned mode), for their peak RSS. */
  workerPids(): number[];
  chaos?: ChaosControls;
  /** Facts for the report (versions, settings). */
  describe(): Record<string, unknown>;
  close(): Promise<void>;
}
